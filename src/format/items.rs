//! Top-level items, one per line (or more when they hold a block), in the order written,
//! with the blank lines between them that the source had (at most one).

use super::body::Entry;
use super::printer::Printer;
use crate::syntax::ast::*;

impl Printer<'_> {
    pub fn module(&mut self, m: &Module) {
        for item in &m.items {
            let span = item.span();
            self.line(span.start as usize);
            self.item(item);
            self.end(span.end as usize);
        }
    }

    fn item(&mut self, item: &Item) {
        let start = item.span().start as usize;
        match item {
            Item::Import(i) => {
                self.tok(start, "import ");
                let path = self.slice(i.path.span).to_string();
                self.tok(i.path.span.start as usize, &path);
                if let Some(alias) = &i.alias {
                    self.text(" as ");
                    self.tok(alias.span.start as usize, &alias.node);
                }
            }
            Item::Let(l) => {
                self.tok(start, "let ");
                self.tok(l.name.span.start as usize, &l.name.node);
                self.text(" = ");
                self.expr(&l.value);
            }
            Item::Dataset(d) => self.definition("dataset ", d),
            Item::Environment(d) => self.definition("environment ", d),
            Item::Tasks(d) => self.definition("tasks ", d),
            Item::Rule(r) => {
                self.tok(start, "rule ");
                self.tok(r.name.span.start as usize, &r.name.node);
                self.text(" = ");
                self.value(&r.value);
                if !r.on.is_empty() {
                    self.text(" on ");
                    self.exprs(&r.on);
                }
            }
            Item::Network(n) => self.network(n),
            Item::Phase(p) => self.phase(p),
            Item::Protocol(p) => self.protocol(p),
            Item::Compare(c) => self.compare(c),
            Item::Sweep(s) => self.sweep(s),
        }
    }

    fn definition(&mut self, word: &str, d: &Definition) {
        self.tok(d.span.start as usize, word);
        self.tok(d.name.span.start as usize, &d.name.node);
        self.text(" = ");
        self.value(&d.value);
    }

    fn network(&mut self, n: &Network) {
        self.tok(n.span.start as usize, "network ");
        self.tok(n.name.span.start as usize, &n.name.node);
        self.text(" ");
        let mut entries: Vec<&dyn Entry> = Vec::new();
        entries.extend(n.populations.iter().map(|p| p as &dyn Entry));
        entries.extend(n.connects.iter().map(|c| c as &dyn Entry));
        entries.sort_by_key(|e| e.bounds().0);
        let open = self.after(n.name.span, b'{');
        self.braced(open, n.span.end as usize - 1, &entries);
    }

    fn phase(&mut self, p: &PhaseDef) {
        self.tok(p.span.start as usize, "phase ");
        self.tok(p.name.span.start as usize, &p.name.node);
        if !p.params.is_empty() {
            let open = self.after(p.name.span, b'(');
            self.tok(open, "(");
            for (i, param) in p.params.iter().enumerate() {
                if i > 0 {
                    self.text(", ");
                }
                self.tok(param.name.span.start as usize, &param.name.node);
                self.text(": ");
                self.tok(param.ty.span.start as usize, &param.ty.node);
                if let Some(d) = &param.default {
                    self.text(" = ");
                    self.expr(d);
                }
            }
            let close = self.close_of(open);
            self.tok(close, ")");
        }
        self.text(" = ");
        self.tok(p.kind.span.start as usize, &p.kind.node);
        self.text(" ");
        self.block(&p.body);
    }

    fn protocol(&mut self, p: &Protocol) {
        self.tok(p.span.start as usize, "protocol ");
        self.tok(p.name.span.start as usize, &p.name.node);
        let before_body = match &p.base {
            Some(base) => {
                self.text(" = ");
                self.tok(base.span.start as usize, &base.node);
                self.text(" with ");
                base.span
            }
            None => {
                self.text(" ");
                p.name.span
            }
        };
        let mut entries: Vec<&dyn Entry> = Vec::new();
        entries.extend(p.overrides.iter().map(|o| o as &dyn Entry));
        entries.extend(p.settings.iter().map(|s| s as &dyn Entry));
        entries.extend(p.schedules.iter().map(|s| s as &dyn Entry));
        entries.extend(p.expects.iter().map(|e| e as &dyn Entry));
        entries.extend(p.tolerances.iter().map(|t| t as &dyn Entry));
        entries.sort_by_key(|e| e.bounds().0);
        let open = self.after(before_body, b'{');
        self.braced(open, p.span.end as usize - 1, &entries);
    }

    fn compare(&mut self, c: &Compare) {
        self.tok(c.span.start as usize, "compare ");
        for (i, arm) in c.arms.iter().enumerate() {
            if i > 0 {
                self.text(" vs ");
            }
            self.tok(arm.span.start as usize, &arm.node);
        }
        self.text(" over seeds ");
        self.expr(&c.seeds);
        self.checks(c.seeds.span, c.span, &c.expects, &c.tolerances);
    }

    fn sweep(&mut self, s: &Sweep) {
        self.tok(s.span.start as usize, "sweep ");
        self.tok(s.protocol.span.start as usize, &s.protocol.node);
        self.text(" over ");
        for (i, (name, values)) in s.axes.iter().enumerate() {
            if i > 0 {
                self.text(", ");
            }
            self.tok(name.span.start as usize, &name.node);
            self.text(" in ");
            self.expr(values);
        }
        self.text(" seeds ");
        self.expr(&s.seeds);
        self.checks(s.seeds.span, s.span, &s.expects, &s.tolerances);
    }

    /// The `{ expect …; tolerance … }` of a comparison or sweep, when it has one.
    fn checks(
        &mut self,
        seeds: crate::source::Span,
        whole: crate::source::Span,
        expects: &[Expect],
        tolerances: &[Tolerance],
    ) {
        let close = whole.end as usize - 1;
        if whole.end <= seeds.end || self.src.as_bytes()[close] != b'}' {
            return;
        }
        let mut entries: Vec<&dyn Entry> = Vec::new();
        entries.extend(expects.iter().map(|e| e as &dyn Entry));
        entries.extend(tolerances.iter().map(|t| t as &dyn Entry));
        entries.sort_by_key(|e| e.bounds().0);
        self.text(" ");
        let open = self.after(seeds, b'{');
        self.braced(open, close, &entries);
    }

    /// `role name size [: model]`, marked so a run of populations lines up.
    fn population(&mut self, p: &Population) {
        let starts_line = self.at_line_start();
        let role = match p.role.node {
            Role::Input => "input",
            Role::Layer => "layer",
            Role::Output => "output",
        };
        self.tok(p.span.start as usize, role);
        let role_end = self.column();
        self.text(" ");
        self.tok(p.name.span.start as usize, &p.name.node);
        let name_end = self.column();
        self.text(" ");
        if starts_line {
            self.mark_columns(role_end, name_end);
        }
        self.expr(&p.size);
        if let Some(model) = &p.model {
            self.text(" : ");
            self.value(model);
        }
    }

    /// `connect a -> b [as name] [{ settings }]`
    fn connect(&mut self, c: &Connect) {
        self.tok(c.span.start as usize, "connect ");
        for (i, pop) in c.chain.iter().enumerate() {
            if i > 0 {
                self.text(" -> ");
            }
            self.tok(pop.span.start as usize, &pop.node);
        }
        if let Some(alias) = &c.alias {
            self.text(" as ");
            self.tok(alias.span.start as usize, &alias.node);
        }
        if let Some(b) = &c.block {
            self.text(" ");
            self.block(b);
        }
    }
}

impl Entry for Population {
    fn bounds(&self) -> (usize, usize) {
        (self.span.start as usize, self.span.end as usize)
    }
    fn print(&self, p: &mut Printer) {
        p.population(self);
    }
}

impl Entry for Connect {
    fn bounds(&self) -> (usize, usize) {
        (self.span.start as usize, self.span.end as usize)
    }
    fn print(&self, p: &mut Printer) {
        p.connect(self);
    }
}

impl Entry for Override {
    fn bounds(&self) -> (usize, usize) {
        (self.span.start as usize, self.span.end as usize)
    }
    fn print(&self, p: &mut Printer) {
        p.tok(self.name.span.start as usize, &self.name.node);
        p.text(" = ");
        match &self.value {
            OverrideValue::Skip(span) => p.tok(span.start as usize, "skip"),
            OverrideValue::Value(v) => p.value(v),
        }
    }
}

impl Entry for Expect {
    fn bounds(&self) -> (usize, usize) {
        (self.span.start as usize, self.span.end as usize)
    }
    fn print(&self, p: &mut Printer) {
        p.tok(self.span.start as usize, "expect ");
        p.expr(&self.cond);
    }
}

impl Entry for Tolerance {
    fn bounds(&self) -> (usize, usize) {
        (self.span.start as usize, self.span.end as usize)
    }
    fn print(&self, p: &mut Printer) {
        p.tok(self.span.start as usize, "tolerance ");
        p.tok(self.metric.span.start as usize, &self.metric.node);
        p.text(" ");
        p.expr(&self.amount);
    }
}
