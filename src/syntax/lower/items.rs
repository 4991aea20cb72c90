//! Lowering of top-level items other than networks and protocols.

use super::{Lower, children};
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;
use pest::iterators::Pair;

impl Lower<'_> {
    /// Dispatches one `item`.
    pub fn lower_item(&mut self, p: Pair<Rule>) -> Item {
        match p.as_rule() {
            Rule::import => Item::Import(self.lower_import(p)),
            Rule::let_item => Item::Let(self.lower_let_item(p)),
            Rule::dataset => Item::Dataset(self.lower_dataset(p)),
            Rule::environment => Item::Environment(self.lower_definition(p)),
            Rule::tasks => Item::Tasks(self.lower_tasks(p)),
            Rule::rule_def => Item::Rule(self.lower_rule(p)),
            Rule::network => Item::Network(self.lower_network(p)),
            Rule::phase => Item::Phase(self.lower_phase(p)),
            Rule::protocol => Item::Protocol(self.lower_protocol(p)),
            Rule::compare => Item::Compare(self.lower_compare(p)),
            Rule::sweep => Item::Sweep(self.lower_sweep(p)),
            r => unreachable!("grammar yields no item {r:?}"),
        }
    }

    /// `import "path" [as name]`
    pub fn lower_import(&mut self, p: Pair<Rule>) -> Import {
        let span = self.span(&p);
        let mut it = children(p);
        let path = self.lower_string(it.next().expect("import has a path"));
        let alias = it.next().map(|a| self.ident(a));
        Import { path, alias, span }
    }

    /// `let name = expr`
    pub fn lower_let_item(&mut self, p: Pair<Rule>) -> Let {
        let span = self.span(&p);
        let mut it = children(p);
        let name = self.ident(it.next().expect("let has a name"));
        let value = self.lower_expr(it.next().expect("let has a value"));
        Let { name, value, span }
    }

    /// `dataset name = value`
    pub fn lower_dataset(&mut self, p: Pair<Rule>) -> Definition {
        self.lower_definition(p)
    }

    /// `tasks name = value`
    pub fn lower_tasks(&mut self, p: Pair<Rule>) -> Definition {
        self.lower_definition(p)
    }

    pub fn lower_definition(&mut self, p: Pair<Rule>) -> Definition {
        let span = self.span(&p);
        let mut it = children(p);
        let name = self.ident(it.next().expect("definition has a name"));
        let value = self.lower_value(it.next().expect("definition has a value"));
        Definition { name, value, span }
    }

    /// `rule name = value [on targets]`
    pub fn lower_rule(&mut self, p: Pair<Rule>) -> RuleDef {
        let span = self.span(&p);
        let mut it = children(p);
        let name = self.ident(it.next().expect("rule has a name"));
        let value = self.lower_value(it.next().expect("rule has a value"));
        let on = it
            .next()
            .map(|c| self.lower_on_clause(c).node)
            .unwrap_or_default();
        RuleDef {
            name,
            value,
            on,
            span,
        }
    }

    /// `phase name(params) = kind { settings }`
    pub fn lower_phase(&mut self, p: Pair<Rule>) -> PhaseDef {
        let span = self.span(&p);
        let mut it = children(p).peekable();
        let name = self.ident(it.next().expect("phase has a name"));
        let params = match it.peek().map(|c| c.as_rule()) {
            Some(Rule::params) => self.lower_params(it.next().expect("peeked")),
            _ => Vec::new(),
        };
        let kind = self.ident(it.next().expect("phase has a kind"));
        let body = self.lower_block(it.next().expect("phase has a body"));
        PhaseDef {
            name,
            params,
            kind,
            body,
            span,
        }
    }

    /// `(param, param)`
    pub fn lower_params(&mut self, p: Pair<Rule>) -> Vec<Param> {
        children(p).map(|c| self.lower_param(c)).collect()
    }

    /// `name: type [= default]`
    pub fn lower_param(&mut self, p: Pair<Rule>) -> Param {
        let span = self.span(&p);
        let mut it = children(p);
        let name = self.ident(it.next().expect("param has a name"));
        let ty = self.ident(it.next().expect("param has a type"));
        let default = it.next().map(|d| self.lower_expr(d));
        Param {
            name,
            ty,
            default,
            span,
        }
    }

    /// `compare a vs b over seeds S { checks }`
    pub fn lower_compare(&mut self, p: Pair<Rule>) -> Compare {
        let span = self.span(&p);
        let mut arms = Vec::new();
        let mut seeds = None;
        let (mut expects, mut tolerances) = (Vec::new(), Vec::new());
        for c in children(p) {
            match c.as_rule() {
                Rule::ident => arms.push(self.ident(c)),
                Rule::expr => seeds = Some(self.lower_expr(c)),
                Rule::checks_block => (expects, tolerances) = self.lower_checks_block(c),
                r => unreachable!("compare holds no {r:?}"),
            }
        }
        Compare {
            arms,
            seeds: seeds.expect("compare has seeds"),
            expects,
            tolerances,
            span,
        }
    }

    /// `sweep p over axes seeds S { checks }`
    pub fn lower_sweep(&mut self, p: Pair<Rule>) -> Sweep {
        let span = self.span(&p);
        let mut it = children(p);
        let protocol = self.ident(it.next().expect("sweep names a protocol"));
        let mut axes = Vec::new();
        let mut seeds = None;
        let (mut expects, mut tolerances) = (Vec::new(), Vec::new());
        for c in it {
            match c.as_rule() {
                Rule::sweep_axis => axes.push(self.lower_sweep_axis(c)),
                Rule::expr => seeds = Some(self.lower_expr(c)),
                Rule::checks_block => (expects, tolerances) = self.lower_checks_block(c),
                r => unreachable!("sweep holds no {r:?}"),
            }
        }
        Sweep {
            protocol,
            axes,
            seeds: seeds.expect("sweep has seeds"),
            expects,
            tolerances,
            span,
        }
    }

    /// `name in values`
    pub fn lower_sweep_axis(&mut self, p: Pair<Rule>) -> (crate::source::Ident, Expr) {
        let mut it = children(p);
        let name = self.ident(it.next().expect("axis has a name"));
        let values = self.lower_expr(it.next().expect("axis has values"));
        (name, values)
    }

    /// `{ expect ...; tolerance ... }`
    pub fn lower_checks_block(&mut self, p: Pair<Rule>) -> (Vec<Expect>, Vec<Tolerance>) {
        let (mut expects, mut tolerances) = (Vec::new(), Vec::new());
        for c in children(p) {
            match c.as_rule() {
                Rule::expect => expects.push(self.lower_expect(c)),
                Rule::tolerance => tolerances.push(self.lower_tolerance(c)),
                r => unreachable!("checks block holds no {r:?}"),
            }
        }
        (expects, tolerances)
    }
}
