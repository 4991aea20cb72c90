//! The built-in reference, generated from the registry.
//!
//! docs/language.md embeds this text between markers; a test fails when the two differ, so
//! the reference cannot drift from what the checker accepts. `somnia explain --builtins`
//! prints it.

use super::contexts::{CONNECT, Context, PERTURB, PROTOCOL, SLEEP, WAKE};
use super::{Builtin, Kind, Param, all};

/// The whole reference, as Markdown.
pub fn reference_markdown() -> String {
    let mut out = String::new();
    out.push_str("### Settings of each block\n\n");
    for ctx in [&PROTOCOL, &WAKE, &SLEEP, &PERTURB, &CONNECT] {
        out.push_str(&format!("#### In {}\n\n", ctx.name));
        context_table(&mut out, ctx);
    }
    for kind in Kind::ALL {
        let entries: Vec<&Builtin> = all().filter(|b| b.kind == *kind).collect();
        if entries.is_empty() {
            continue;
        }
        out.push_str(&format!("### {}\n\n", capitalise(&kind.plural())));
        for b in entries {
            builtin_section(&mut out, b);
        }
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn context_table(out: &mut String, ctx: &Context) {
    params_table(out, ctx.params);
}

pub fn builtin_section(out: &mut String, b: &Builtin) {
    out.push_str(&format!("#### `{}`\n\n{}.", b.name, b.doc));
    let mut notes = Vec::new();
    if let Some(why) = b.planned {
        notes.push(format!(
            "**Planned** ({why}): `check` refuses it (E116) until its kernel is written."
        ));
    }
    if b.kind != Kind::NeuronModel && b.dynamics != super::Dynamics::Any {
        notes.push(format!("Needs {} dynamics.", b.dynamics.word()));
    }
    if b.kind == Kind::NeuronModel {
        notes.push(format!("Dynamics: {}.", b.dynamics.word()));
    }
    if matches!(b.kind, Kind::Rule | Kind::Drive | Kind::Modulator)
        && b.phases != super::Phases::ALL
    {
        notes.push(format!("Allowed in {}.", b.phases.describe()));
    }
    if let Some(r) = b.returns {
        notes.push(format!("Value: {}.", r.describe()));
    }
    if !notes.is_empty() {
        out.push(' ');
        out.push_str(&notes.join(" "));
    }
    out.push_str("\n\n");
    if b.params.is_empty() {
        out.push_str("No parameters.\n\n");
    } else {
        params_table(out, b.params);
    }
}

fn params_table(out: &mut String, params: &[Param]) {
    out.push_str("| name | type | default | range | meaning |\n|---|---|---|---|---|\n");
    for p in params {
        let mut range = p.range.describe().unwrap_or_default();
        if p.whole {
            range = if range.is_empty() {
                "whole".into()
            } else {
                format!("{range}, whole")
            };
        }
        let mut meaning = p.doc.to_string();
        let mut extras = Vec::new();
        if p.targets {
            extras.push("accepts `on …`");
        }
        if p.window {
            extras.push("accepts `window w x h`");
        }
        if p.repeat {
            extras.push("may repeat");
        }
        if p.variadic {
            extras.push("takes the remaining arguments");
        }
        if !extras.is_empty() {
            meaning.push_str(&format!(" ({})", extras.join("; ")));
        }
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            p.name,
            p.ty.describe().replace('|', "\\|"),
            p.default_text(),
            range,
            meaning.replace('|', "\\|")
        ));
    }
    out.push('\n');
}
