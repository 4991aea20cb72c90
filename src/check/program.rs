//! The program: every loaded module and the names each one can see.
//!
//! A module sees its own items and the items of the modules it imports without `as`
//! (transitively); an import `as std` makes the imported module's names reachable as
//! `std.name`. Two different items visible under one name are an error (E102).

use crate::builtins;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::load::Loaded;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{Item, Module, Network};
use std::collections::{BTreeMap, HashMap};

/// An item: its module and position in that module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId {
    pub module: usize,
    pub index: usize,
}

/// All loaded modules with their namespaces.
#[derive(Debug, Clone)]
pub struct Program {
    pub sources: SourceMap,
    pub modules: Vec<Module>,
    /// Per module: the unqualified names it sees.
    pub names: Vec<BTreeMap<String, ItemId>>,
    /// Per module: its import aliases.
    pub aliases: Vec<HashMap<String, usize>>,
    /// SHA-256 of the text of every loaded file, in load order (hex).
    pub source_hash: String,
    /// Per module: imports that could not be loaded (as written).
    pub failed_imports: Vec<Vec<String>>,
}

impl Program {
    /// Builds the namespaces of a loaded program, reporting clashes.
    pub fn new(loaded: Loaded, diags: &mut Diagnostics) -> Program {
        let n = loaded.modules.len();
        let mut names = vec![BTreeMap::new(); n];
        let mut aliases = vec![HashMap::new(); n];
        for m in 0..n {
            let mut seen = vec![false; n];
            let mut order = Vec::new();
            reachable(&loaded, m, &mut seen, &mut order);
            let ns: &mut BTreeMap<String, ItemId> = &mut names[m];
            for module in order {
                for (index, item) in loaded.modules[module].items.iter().enumerate() {
                    let Some(name) = item.name() else { continue };
                    if matches!(item, Item::Import(_)) {
                        continue;
                    }
                    let id = ItemId { module, index };
                    match ns.get(&name.node) {
                        Some(&prev) if prev != id => {
                            // Report a clash where it can be fixed: in a file that owns one of
                            // the two, or in the main file (which sees everything it imports).
                            if m == 0 || module == m || prev.module == m {
                                let prev_item = &loaded.modules[prev.module].items[prev.index];
                                let prev_span =
                                    prev_item.name().map_or(prev_item.span(), |n| n.span);
                                let d = if module == prev.module {
                                    Diagnostic::new(
                                        Code::E102,
                                        name.span,
                                        format!("`{}` is defined twice", name.node),
                                    )
                                    .label(format!(
                                        "this {} is defined again here",
                                        item.kind_word()
                                    ))
                                    .secondary(
                                        prev_span,
                                        format!("first defined here (a {})", prev_item.kind_word()),
                                    )
                                    .help("rename one of them")
                                } else {
                                    // Point at the definition in this file; name the other's file.
                                    let (here, there, there_item) = if prev.module == m {
                                        (prev_span, name.span, item)
                                    } else {
                                        (name.span, prev_span, prev_item)
                                    };
                                    Diagnostic::new(Code::E102, here, format!("`{}` is defined twice", name.node))
                                        .label("defined here …")
                                        .secondary(there, format!("… and as a {} in an imported file", there_item.kind_word()))
                                        .help("rename one of them, or import the file `as` a name so its names are written `alias.name`")
                                };
                                diags.push(d);
                            }
                        }
                        Some(_) => {}
                        None => {
                            ns.insert(name.node.clone(), id);
                        }
                    }
                }
            }
            for edge in &loaded.imports[m] {
                if let Some(alias) = &edge.alias {
                    if let Some(&id) = names[m].get(&alias.node) {
                        let other = &loaded.modules[id.module].items[id.index];
                        diags.push(
                            Diagnostic::new(
                                Code::E102,
                                alias.span,
                                format!("`{}` is defined twice", alias.node),
                            )
                            .label("this import alias …")
                            .secondary(
                                other.name().map_or(other.span(), |n| n.span),
                                format!("… clashes with this {}", other.kind_word()),
                            ),
                        );
                    }
                    aliases[m].insert(alias.node.clone(), edge.module);
                }
            }
        }
        let source_hash = source_hash(&loaded.sources);
        Program {
            source_hash,
            failed_imports: loaded.failed_imports,
            sources: loaded.sources,
            modules: loaded.modules,
            names,
            aliases,
        }
    }

    pub fn item(&self, id: ItemId) -> &Item {
        &self.modules[id.module].items[id.index]
    }

    /// Every item with its id.
    pub fn items(&self) -> impl Iterator<Item = (ItemId, &Item)> {
        self.modules.iter().enumerate().flat_map(|(module, m)| {
            m.items
                .iter()
                .enumerate()
                .map(move |(index, item)| (ItemId { module, index }, item))
        })
    }

    /// The item a name means in a module.
    pub fn lookup(&self, module: usize, name: &str) -> Option<ItemId> {
        self.names[module].get(name).copied()
    }

    /// The name of an item.
    pub fn name_of(&self, id: ItemId) -> &str {
        self.item(id).name().map_or("", |n| n.node.as_str())
    }

    /// Every network in the program.
    pub fn networks(&self) -> impl Iterator<Item = (ItemId, &Network)> {
        self.items().filter_map(|(id, i)| match i {
            Item::Network(n) => Some((id, n)),
            _ => None,
        })
    }

    /// Every name a module can see (for "did you mean").
    pub fn visible_names(&self, module: usize) -> impl Iterator<Item = &str> {
        self.names[module]
            .keys()
            .map(String::as_str)
            .chain(self.aliases[module].keys().map(String::as_str))
    }

    /// The span of an item's name (or the item).
    pub fn name_span(&self, id: ItemId) -> Span {
        let item = self.item(id);
        item.name().map_or(item.span(), |n| n.span)
    }

    /// Warns about names that hide a built-in.
    pub fn lint_shadowing(&self, diags: &mut Diagnostics) {
        for (id, item) in self.items() {
            // An import alias is only ever written before a `.`, so it hides nothing.
            if id.module != 0 || matches!(item, Item::Import(_)) {
                continue;
            }
            let Some(name) = item.name() else { continue };
            if let Some(b) = builtins::lookup(&name.node) {
                diags.push(
                    Diagnostic::new(
                        Code::W006,
                        name.span,
                        format!(
                            "`{}` hides the built-in {} of the same name",
                            name.node,
                            b.kind.word()
                        ),
                    )
                    .label("this definition wins wherever the name is used")
                    .help("rename it unless hiding the built-in is intended"),
                );
            }
        }
    }
}

/// Modules visible unqualified from `m`: itself, then its un-aliased imports, depth first.
fn reachable(loaded: &Loaded, m: usize, seen: &mut [bool], order: &mut Vec<usize>) {
    if seen[m] {
        return;
    }
    seen[m] = true;
    order.push(m);
    for edge in &loaded.imports[m] {
        if edge.alias.is_none() {
            reachable(loaded, edge.module, seen, order);
        }
    }
}

/// SHA-256 over the text of every file, each followed by a NUL.
fn source_hash(sources: &SourceMap) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (_, f) in sources.iter() {
        h.update(f.text.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
