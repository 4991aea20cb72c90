//! Lowering of `network` items.

use super::{Lower, children};
use crate::source::Spanned;
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;
use pest::iterators::Pair;

impl Lower<'_> {
    /// `network name { populations and connects }`
    pub fn lower_network(&mut self, p: Pair<Rule>) -> Network {
        let span = self.span(&p);
        let mut it = children(p);
        let name = self.ident(it.next().expect("network has a name"));
        let mut populations = Vec::new();
        let mut connects = Vec::new();
        for c in it {
            match c.as_rule() {
                Rule::population => populations.push(self.lower_population(c)),
                Rule::connect => connects.push(self.lower_connect(c)),
                r => unreachable!("network holds no {r:?}"),
            }
        }
        Network {
            name,
            populations,
            connects,
            span,
        }
    }

    /// `role name size [: model]`
    pub fn lower_population(&mut self, p: Pair<Rule>) -> Population {
        let span = self.span(&p);
        let mut it = children(p);
        let role = self.lower_pop_role(it.next().expect("population has a role"));
        let name = self.ident(it.next().expect("population has a name"));
        let size = self.lower_expr(it.next().expect("population has a size"));
        let model = it.next().map(|m| self.lower_value(m));
        Population {
            role,
            name,
            size,
            model,
            span,
        }
    }

    /// `input`, `layer` or `output`
    pub fn lower_pop_role(&mut self, p: Pair<Rule>) -> Spanned<Role> {
        let role = match p.as_str() {
            "input" => Role::Input,
            "output" => Role::Output,
            _ => Role::Layer,
        };
        Spanned::new(role, self.span(&p))
    }

    /// `connect chain [as name] [block]`
    pub fn lower_connect(&mut self, p: Pair<Rule>) -> Connect {
        let span = self.span(&p);
        let mut chain = Vec::new();
        let mut alias = None;
        let mut block = None;
        for c in children(p) {
            match c.as_rule() {
                Rule::chain => chain = self.lower_chain(c),
                Rule::ident => alias = Some(self.ident(c)),
                Rule::block => block = Some(self.lower_block(c)),
                r => unreachable!("connect holds no {r:?}"),
            }
        }
        Connect {
            chain,
            alias,
            block,
            span,
        }
    }

    /// `a -> b -> c`
    pub fn lower_chain(&mut self, p: Pair<Rule>) -> Vec<crate::source::Ident> {
        children(p).map(|c| self.ident(c)).collect()
    }
}
