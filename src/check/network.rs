//! Networks: populations and projections, checked and sized.

use super::eval::{Eval, Member};
use super::program::ItemId;
use super::value::{Bindings, Bound, Projection, Value};
use crate::builtins::{self, Kind, Range, Ty};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{Item, Role};
use crate::units::Dim;
use std::collections::HashMap;

/// A population with its size known.
#[derive(Debug, Clone)]
pub struct PopInfo {
    pub name: String,
    pub role: Role,
    /// `None` when the size could not be computed (already reported).
    pub size: Option<u64>,
    /// The neuron model declared on the population, if any.
    pub model: Option<Value>,
    pub span: Span,
}

/// A projection with its settings.
#[derive(Debug, Clone)]
pub struct ProjInfo {
    pub proj: Projection,
    pub settings: Bindings,
    pub span: Span,
}

/// A checked network.
#[derive(Debug, Clone)]
pub struct NetworkInfo {
    pub id: ItemId,
    pub name: String,
    pub populations: Vec<PopInfo>,
    pub projections: Vec<ProjInfo>,
}

impl NetworkInfo {
    pub fn population(&self, name: &str) -> Option<&PopInfo> {
        self.populations.iter().find(|p| p.name == name)
    }

    /// The names a schedule and its phases can use for this network's members.
    pub fn members(&self) -> HashMap<String, Member> {
        let mut m: HashMap<String, Member> = self
            .populations
            .iter()
            .map(|p| (p.name.clone(), Member::Population { size: p.size }))
            .collect();
        for p in &self.projections {
            m.entry(p.proj.key())
                .or_insert_with(|| Member::Projection(p.proj.clone()));
        }
        m
    }
}

impl Eval<'_, '_> {
    /// Checks a network item and computes its sizes.
    pub fn network_info(&mut self, id: ItemId) -> NetworkInfo {
        let prog = self.prog;
        let Item::Network(net) = prog.item(id) else {
            unreachable!("network_info on a non-network");
        };
        self.in_module(id.module, |ev| {
            let mut pops: Vec<PopInfo> = Vec::new();
            for p in &net.populations {
                if let Some(prev) = pops.iter().find(|q| q.name == p.name.node) {
                    ev.push(
                        Diagnostic::new(Code::E102, p.name.span, format!("population `{}` is defined twice", p.name.node))
                            .label("defined again here")
                            .secondary(prev.span, "first defined here"),
                    );
                    continue;
                }
                let size_param = builtins::param("size", Ty::Num(Dim::NONE), "the number of neurons in the population").range(Range::Positive).whole();
                let v = ev.eval(&p.size);
                let size = match ev.conform(v, &Ty::Num(Dim::NONE), p.size.span, Some(&size_param)) {
                    Value::Num(x, _) if x >= 1.0 && x.fract() == 0.0 => Some(x as u64),
                    _ => None,
                };
                let model = p
                    .model
                    .as_ref()
                    .map(|m| ev.eval_value(m, &Ty::Builtin(Kind::NeuronModel)));
                pops.push(PopInfo {
                    name: p.name.node.clone(),
                    role: p.role.node,
                    size,
                    model,
                    span: p.name.span,
                });
            }
            let mut projs: Vec<ProjInfo> = Vec::new();
            for c in &net.connects {
                let known: Vec<&str> = pops.iter().map(|p| p.name.as_str()).collect();
                let mut ok = true;
                for name in &c.chain {
                    if !known.contains(&name.node.as_str()) {
                        ev.push(
                            Diagnostic::new(Code::E111, name.span, format!("`{}` is not a population of `{}`", name.node, net.name.node))
                                .label("unknown population")
                                .suggest_name(&name.node, name.span, known.iter().copied())
                                .help_if_none("declare it with `input`, `layer` or `output` in this network"),
                        );
                        ok = false;
                    }
                }
                if let Some(alias) = &c.alias
                    && c.chain.len() > 2
                {
                    ev.push(
                        Diagnostic::new(Code::E107, alias.span, "`as` names one projection, but this chain makes several")
                            .label(format!("{} projections", c.chain.len() - 1))
                            .help("write one `connect a -> b as name` per projection you want to name"),
                    );
                }
                let settings = match &c.block {
                    Some(b) => ev.bind(builtins::CONNECT.params, "a `connect` block", &[], &b.settings, b.span, None),
                    None => Bindings::new(),
                };
                check_init_dims(ev, &settings);
                if !ok {
                    continue;
                }
                for pair in c.chain.windows(2) {
                    let (from, to) = (&pair[0], &pair[1]);
                    let span = from.span.to(to.span);
                    if pops.iter().any(|p| p.name == to.node && p.role == Role::Input) {
                        ev.push(
                            Diagnostic::new(Code::E312, to.span, format!("`{}` is an input population and cannot receive a projection", to.node))
                                .label("input populations are driven by data, not by other neurons")
                                .help(format!("declare `{}` with `layer` if it should receive input", to.node)),
                        );
                        continue;
                    }
                    let proj = Projection {
                        from: from.node.clone(),
                        to: to.node.clone(),
                        name: if c.chain.len() == 2 { c.alias.as_ref().map(|a| a.node.clone()) } else { None },
                    };
                    if let Some(prev) = projs.iter().find(|q| q.proj.key() == proj.key() || (q.proj.from == proj.from && q.proj.to == proj.to && proj.name.is_none() && q.proj.name.is_none())) {
                        ev.push(
                            Diagnostic::new(Code::E102, span, format!("`{} -> {}` is connected twice", from.node, to.node))
                                .label("connected again here")
                                .secondary(prev.span, "first connected here")
                                .help("give each projection between the same populations its own name with `as`"),
                        );
                        continue;
                    }
                    check_connectivity(ev, &pops, &proj, &settings, span);
                    projs.push(ProjInfo {
                        proj,
                        settings: settings.clone(),
                        span,
                    });
                }
            }
            super::ties::check_ties(ev, &pops, &projs);
            NetworkInfo {
                id,
                name: net.name.node.clone(),
                populations: pops,
                projections: projs,
            }
        })
    }
}

impl Eval<'_, '_> {
    /// `lif` settings that depend on each other: the synaptic time constants of the chosen
    /// `synapse` (E215 for one that has no effect, E109 for `current_ei` without its two τ),
    /// and `v_init`'s distribution (voltages, an ordered range).
    pub fn check_lif(&mut self, params: &Bindings, span: Span) {
        let given = |name: &str| params.get(name).and_then(|v| v.first());
        let synapse = match given("synapse").map(|b| &b.value) {
            Some(Value::Symbol(s)) => s.as_str(),
            Some(_) => return,
            None => "delta",
        };
        let owner = |name: &str| match name {
            "tau_syn" => "`synapse current`",
            "tau_exc" | "tau_inh" => "`synapse current_ei` or `synapse conductance`",
            _ => "`synapse conductance`",
        };
        let applies: &[&str] = match synapse {
            "current" => &["tau_syn"],
            "current_ei" => &["tau_exc", "tau_inh"],
            "conductance" => &["tau_exc", "tau_inh", "e_exc", "e_inh"],
            _ => &[],
        };
        // Settings that only mean something with another synapse. (`delta` with conductance
        // settings is left alone: protocols switch `synapse` per phase with `dynamics`.)
        let checked: &[&str] = match synapse {
            "current" => &["tau_exc", "tau_inh"],
            "current_ei" => &["tau_syn", "e_exc", "e_inh"],
            _ => &[],
        };
        for &name in checked {
            if applies.contains(&name) {
                continue;
            }
            if let Some(b) = given(name) {
                let help = if synapse == "current" && name.starts_with("tau_") {
                    "for separate excitatory and inhibitory time constants write `synapse current_ei`".to_string()
                } else {
                    format!("remove `{name}`; it is read only with {}", owner(name))
                };
                let mut d = Diagnostic::new(
                    Code::E215,
                    b.whole,
                    format!("`{name}` has no effect with `synapse {synapse}`"),
                )
                .label(format!("`{name}` belongs to {}", owner(name)))
                .help(help);
                if let Some(sy) = given("synapse") {
                    d = d.secondary(sy.whole, "the synapse is chosen here");
                }
                self.push(d);
            }
        }
        if synapse == "current_ei" {
            let missing: Vec<&str> = ["tau_exc", "tau_inh"]
                .into_iter()
                .filter(|n| given(n).is_none())
                .collect();
            if !missing.is_empty() {
                let at = given("synapse").map_or(span, |b| b.whole);
                let names: Vec<String> = missing.iter().map(|n| format!("`{n}`")).collect();
                self.push(
                    Diagnostic::new(Code::E109, at, format!("`synapse current_ei` needs {}", names.join(" and ")))
                        .label("the excitatory and inhibitory currents decay with their own time constants")
                        .help("e.g. `synapse current_ei; tau_exc 5 ms; tau_inh 10 ms`"),
                );
            }
        }
        if let Some(b) = given("v_init") {
            self.check_v_init(b);
        }
    }

    /// `v_init`: a voltage, or `uniform`/`normal`/`constant` with voltages.
    fn check_v_init(&mut self, b: &Bound) {
        let Value::Builtin(init) = &b.value else {
            return;
        };
        if !matches!(init.entry.name, "uniform" | "normal" | "constant") {
            self.push(
                Diagnostic::new(Code::E204, b.span, format!("`v_init` cannot be drawn by `{}`", init.entry.name))
                    .label("not a distribution of potentials")
                    .help("write a voltage, or `uniform(lo, hi)`, `normal(mean, std)` or `constant(v)` in volts, e.g. `v_init uniform(-60 mV, -50 mV)`"),
            );
            return;
        }
        for (name, bounds) in &init.params {
            for a in bounds {
                if let Some((x, d)) = a.value.as_num()
                    && d != Dim::VOLTAGE
                    && !(d.is_none() && x == 0.0)
                {
                    self.push(
                        Diagnostic::new(
                            Code::E205,
                            a.span,
                            format!(
                                "`v_init` needs voltages, found {} for `{name}`",
                                a.value.describe()
                            ),
                        )
                        .label("wrong dimension")
                        .help("add a unit, e.g. `uniform(-60 mV, -50 mV)`"),
                    );
                }
            }
        }
        if init.entry.name == "uniform"
            && let (Some(lo), Some(hi)) = (init.get("lo"), init.get("hi"))
            && let (Some((l, dl)), Some((h, dh))) = (lo.value.as_num(), hi.value.as_num())
            && dl == dh
            && l > h
        {
            self.push(
                Diagnostic::new(
                    Code::E211,
                    lo.span.to(hi.span),
                    "`uniform(lo, hi)` needs lo ≤ hi",
                )
                .label("not an ordered pair"),
            );
        }
    }
}

/// An initialiser's numbers must share one dimension: all weights, or all voltages.
fn check_init_dims(ev: &mut Eval, settings: &Bindings) {
    let Some(b) = settings.get("init").and_then(|v| v.first()) else {
        return;
    };
    let Value::Builtin(init) = &b.value else {
        return;
    };
    let nums: Vec<(Dim, Span)> = init
        .params
        .values()
        .flatten()
        .filter_map(|a| a.value.as_num().map(|(_, d)| (d, a.span)))
        .collect();
    if let Some(&(d0, s0)) = nums.first()
        && let Some(&(d1, s1)) = nums.iter().find(|(d, _)| *d != d0)
    {
        ev.push(
            Diagnostic::new(Code::E202, s1, format!("`{}` mixes {} and {}", init.entry.name, d0.a_value(), d1.a_value()))
                .label(format!("this is {}", d1.a_value()))
                .secondary(s0, format!("this is {}", d0.a_value()))
                .help("give every value of an initialiser the same unit: numbers, or voltages for `lif` targets"),
        );
    }
}

/// Connectivities that need sizes to agree, and bounds that must be ordered.
fn check_connectivity(
    ev: &mut Eval,
    pops: &[PopInfo],
    proj: &Projection,
    settings: &Bindings,
    span: Span,
) {
    let size = |n: &str| pops.iter().find(|p| p.name == n).and_then(|p| p.size);
    if let Some(b) = settings.get("connectivity").and_then(|v| v.first())
        && let Value::Builtin(conn) = &b.value
    {
        match conn.entry.name {
            "one_to_one" | "all_but_self" => {
                if let (Some(a), Some(c)) = (size(&proj.from), size(&proj.to))
                    && a != c
                {
                    ev.push(
                        Diagnostic::new(
                            Code::E211,
                            b.span,
                            format!("`{}` needs populations of equal size", conn.entry.name),
                        )
                        .label(format!(
                            "`{}` has {a} neurons, `{}` has {c}",
                            proj.from, proj.to
                        ))
                        .secondary(span, "this projection"),
                    );
                }
            }
            "fixed_in" => {
                if let (Some(k), Some(n)) = (
                    conn.get("k").and_then(|k| k.value.as_num()),
                    size(&proj.from),
                ) && k.0 > n as f64
                {
                    ev.push(
                        Diagnostic::new(
                            Code::E211,
                            b.span,
                            format!(
                                "`fixed_in` asks for {} inputs but `{}` has {n} neurons",
                                crate::units::format_number(k.0),
                                proj.from
                            ),
                        )
                        .label("more inputs than the source population has"),
                    );
                }
            }
            _ => {}
        }
    }
    if let Some(b) = settings.get("bounds").and_then(|v| v.first())
        && let Value::List(xs) = &b.value
    {
        let nums: Vec<f64> = xs.iter().filter_map(|x| x.as_num().map(|n| n.0)).collect();
        if xs.len() != 2 || (nums.len() == 2 && nums[0] >= nums[1]) {
            ev.push(
                Diagnostic::new(
                    Code::E211,
                    b.span,
                    "`bounds` must be `[min, max]` with min < max",
                )
                .label("not an ordered pair"),
            );
        }
    }
}
