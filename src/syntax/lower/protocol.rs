//! Lowering of `protocol` items, their `with` blocks, expectations and tolerances.

use super::{Lower, children};
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;
use pest::iterators::Pair;

impl Lower<'_> {
    /// `protocol name body` or `protocol name = base with { ... }`
    pub fn lower_protocol(&mut self, p: Pair<Rule>) -> Protocol {
        let span = self.span(&p);
        let mut it = children(p);
        let name = self.ident(it.next().expect("protocol has a name"));
        let mut proto = Protocol {
            name,
            base: None,
            overrides: Vec::new(),
            settings: Vec::new(),
            schedules: Vec::new(),
            expects: Vec::new(),
            tolerances: Vec::new(),
            span,
        };
        let body = it.next().expect("protocol has a body");
        match body.as_rule() {
            Rule::protocol_body => self.lower_protocol_body(body, &mut proto),
            Rule::derive => self.lower_derive(body, &mut proto),
            r => unreachable!("protocol holds no {r:?}"),
        }
        proto
    }

    /// `{ settings, schedule, expectations }`
    pub fn lower_protocol_body(&mut self, p: Pair<Rule>, proto: &mut Protocol) {
        for c in children(p) {
            self.lower_protocol_part(c, proto);
        }
    }

    /// `= base with { overrides, settings, expectations }`
    pub fn lower_derive(&mut self, p: Pair<Rule>, proto: &mut Protocol) {
        let mut it = children(p);
        proto.base = Some(self.ident(it.next().expect("derive names a base")));
        for c in it {
            self.lower_protocol_part(c, proto);
        }
    }

    fn lower_protocol_part(&mut self, c: Pair<Rule>, proto: &mut Protocol) {
        match c.as_rule() {
            Rule::schedule => proto.schedules.push(self.lower_schedule(c)),
            Rule::expect => proto.expects.push(self.lower_expect(c)),
            Rule::tolerance => proto.tolerances.push(self.lower_tolerance(c)),
            Rule::setting => proto.settings.push(self.lower_setting(c)),
            Rule::override_item => proto.overrides.push(self.lower_override_item(c)),
            r => unreachable!("protocol holds no {r:?}"),
        }
    }

    /// `name = value` or `name = skip`
    pub fn lower_override_item(&mut self, p: Pair<Rule>) -> Override {
        let span = self.span(&p);
        let mut it = children(p);
        let name = self.ident(it.next().expect("override has a name"));
        let v = it.next().expect("override has a value");
        let value = match v.as_rule() {
            Rule::skip => OverrideValue::Skip(self.span(&v)),
            _ => OverrideValue::Value(self.lower_value(v)),
        };
        Override { name, value, span }
    }

    /// `expect condition`
    pub fn lower_expect(&mut self, p: Pair<Rule>) -> Expect {
        let span = self.span(&p);
        let cond = self.lower_expr(children(p).next().expect("expect has a condition"));
        Expect { cond, span }
    }

    /// `tolerance metric amount`
    pub fn lower_tolerance(&mut self, p: Pair<Rule>) -> Tolerance {
        let span = self.span(&p);
        let mut it = children(p);
        let metric = self.ident(it.next().expect("tolerance names a metric"));
        let amount = self.lower_expr(it.next().expect("tolerance has an amount"));
        Tolerance {
            metric,
            amount,
            span,
        }
    }
}
