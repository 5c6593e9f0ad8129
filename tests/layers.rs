//! The module graph of `src/` keeps its shape: every import points down a
//! layer (or sideways within one), never up, and no two modules import each
//! other, directly or round a circle. A module's own submodules are part of
//! it, so a parent and its children may use each other freely.
//!
//! The layers are listed once, here, bottom first; `ARCHITECTURE.md`
//! explains them. A module belongs to the most specific entry naming it or
//! one of its ancestors.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom first. Shared code (the browser build too) sits low; whatever
/// wires everything together sits on top.
const LAYERS: &[&[&str]] = &[
    // Pure and shared with the browser build.
    &["i18n"],
    &["domain"],
    // Server-only foundations.
    &["clock"],
    &["store", "platforms", "emulator"],
    &["scheduler"],
    // Use cases, auth, REST.
    &["server"],
    // Server functions, then the pages that call them.
    &["api"],
    &["ui", "app"],
    // What renders the pages and serves everything.
    &["server::router"],
    // Wiring: the command line and the benchmarks.
    &["bench", "cli", ""],
];

type Module = Vec<String>;

fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate".to_owned()
    } else {
        m.join("::")
    }
}

fn layer_of(m: &Module) -> usize {
    let mut best: Option<(usize, usize)> = None; // (specificity, layer)
    for (rank, entries) in LAYERS.iter().enumerate() {
        for e in *entries {
            let parts: Vec<&str> = if e.is_empty() {
                Vec::new()
            } else {
                e.split("::").collect()
            };
            let matches = parts.len() <= m.len() && parts.iter().zip(m).all(|(a, b)| *a == b);
            if matches && best.is_none_or(|(s, _)| parts.len() >= s) {
                best = Some((parts.len(), rank));
            }
        }
    }
    best.map(|(_, r)| r)
        .unwrap_or_else(|| panic!("module {} is in no layer: add it to LAYERS", name(m)))
}

/// Every module file under `src/`, by module path.
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(src).expect("under src");
            let mut parts: Vec<String> = rel
                .with_extension("")
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            if parts.last().map(String::as_str) == Some("mod") {
                parts.pop();
            }
            if parts == ["lib"] || parts == ["main"] {
                parts.clear();
            }
            out.insert(parts, path);
        }
    }
    out
}

/// The source without comments, string and character literals, so that
/// only code is searched for paths.
fn code_only(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&b, i) {
            // A raw string: r"…", r#"…"#, …
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            'raw: while j < b.len() {
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break 'raw;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}'); a lifetime has no
            // closing quote right after its first character.
            if next == Some('\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if b.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.to_owned()];
    };
    let close = tree.rfind('}').unwrap_or(tree.len());
    let prefix = &tree[..open];
    let inner = &tree[open + 1..close];
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for ch in inner.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if ch == ',' && depth == 0 {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(ch);
        }
    }
    parts.push(cur);
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(p).into_iter().map(move |e| format!("{prefix}{e}")))
        .collect()
}

/// The module a path names, from inside `from`: the longest prefix that is
/// a module file. `None` for paths outside the crate.
fn resolve(from: &Module, path: &str, known: &BTreeSet<Module>) -> Option<Module> {
    let segs: Vec<&str> = path
        .split("::")
        .map(|s| s.split(" as ").next().unwrap_or(s).trim())
        .filter(|s| !s.is_empty())
        .collect();
    let (mut base, rest): (Module, &[&str]) = match *segs.first()? {
        "crate" => (Vec::new(), &segs[1..]),
        "self" => (from.clone(), &segs[1..]),
        "super" => {
            let mut base = from.clone();
            let mut k = 0;
            while segs.get(k) == Some(&"super") {
                base.pop();
                k += 1;
            }
            (base, &segs[k..])
        }
        _ => return None,
    };
    let mut best = base.clone();
    for s in rest {
        base.push((*s).to_owned());
        if known.contains(&base) {
            best = base.clone();
        } else {
            break;
        }
    }
    Some(best)
}

fn imports(from: &Module, code: &str, known: &BTreeSet<Module>) -> BTreeSet<Module> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let boundary = at == 0 || !ident_before(&rest.chars().collect::<Vec<_>>(), at);
        let after = &rest[at + 4..];
        if boundary {
            if let Some(end) = after.find(';') {
                paths.extend(expand(&after[..end]));
            }
        }
        rest = after;
    }
    for marker in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(at) = rest.find(marker) {
            let tail: String = rest[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(tail.trim_end_matches(':').to_owned());
            rest = &rest[at + marker.len()..];
        }
    }
    paths
        .iter()
        .filter_map(|p| resolve(from, p, known))
        .filter(|t| t != from && !t.starts_with(from) && !from.starts_with(t))
        .collect()
}

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = modules(&src);
    let known: BTreeSet<Module> = files.keys().cloned().collect();
    files
        .iter()
        .map(|(m, path)| {
            let code = code_only(&std::fs::read_to_string(path).expect("read module"));
            (m.clone(), imports(m, &code, &known))
        })
        .collect()
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(g: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct T<'a> {
        g: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on: BTreeSet<&'a Module>,
        next: usize,
        out: Vec<Vec<Module>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a Module) {
        t.index.insert(v, t.next);
        t.low.insert(v, t.next);
        t.next += 1;
        t.stack.push(v);
        t.on.insert(v);
        let g = t.g;
        for w in g.get(v).into_iter().flatten() {
            let Some((w, _)) = g.get_key_value(w) else {
                continue;
            };
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut scc = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                scc.push(w.clone());
                if w == v {
                    break;
                }
            }
            if scc.len() > 1 {
                scc.sort();
                t.out.push(scc);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let g = graph();
    let mut wrong = Vec::new();
    for (from, targets) in &g {
        for to in targets {
            if layer_of(to) > layer_of(from) {
                wrong.push(format!(
                    "{} (layer {}) imports {} (layer {})",
                    name(from),
                    layer_of(from),
                    name(to),
                    layer_of(to)
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports pointing up:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_modules_import_each_other_round_a_circle() {
    let g = graph();
    let found: Vec<String> = cycles(&g)
        .iter()
        .map(|c| {
            let members: BTreeSet<&Module> = c.iter().collect();
            let arrows: Vec<String> = c
                .iter()
                .flat_map(|a| {
                    g[a].iter()
                        .filter(|b| members.contains(b))
                        .map(move |b| format!("  {} -> {}", name(a), name(b)))
                })
                .collect();
            arrows.join("\n")
        })
        .collect();
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n\n"));
}

#[test]
fn the_checker_sees_imports_through_use_trees_and_paths() {
    let known: BTreeSet<Module> = [
        vec!["server".to_owned()],
        vec!["server".to_owned(), "posts".to_owned()],
        vec!["server".to_owned(), "media".to_owned()],
        vec!["domain".to_owned()],
        vec!["store".to_owned()],
    ]
    .into_iter()
    .collect();
    let from = vec!["server".to_owned(), "posts".to_owned()];
    let code = code_only(
        "use super::{media, state::AppState};\n\
         // use crate::store::Nothing;\n\
         let s = \"crate::store::NotCode\";\n\
         fn f<'a>(x: &'a str) -> char { crate::domain::thing(); 'c' }",
    );
    let got = imports(&from, &code, &known);
    let want: BTreeSet<Module> = [
        vec!["server".to_owned(), "media".to_owned()],
        vec!["domain".to_owned()],
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
    assert!(layer_of(&vec!["server".to_owned(), "router".to_owned()]) > layer_of(&from));
}
