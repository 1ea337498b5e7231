//! The layering rule (docs/ARCHITECTURE.md, "Layering"): no import cycle between the
//! top-level modules of any crate of the workspace, and no file or function in quire-core
//! and quired too long to read. Reads the sources; runs with `cargo test -p quire-tests
//! --test layering` (and so in CI).
//!
//! An edge `a -> b` is a path in module `a` (any of its files) that names top-level module
//! `b`: `crate::b::…`, `crate::{b, …}`, `crate::Item` where the crate root re-exports `Item`
//! from `b`, or `super::…` that climbs out of `a` to the root and then into `b`. Comments,
//! string literals, `#[cfg(test)]` modules, `tests.rs` and `*_tests.rs` files are left out.
//! A type that refers to itself inside one module is no edge.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Every member of the workspace, by its directory (checked against Cargo.toml below).
const CRATES: &[&str] = &[
    "daemon/client",
    "daemon/ipp",
    "daemon/config",
    "daemon/cupsfiles",
    "daemon/dnssd",
    "daemon/store",
    "daemon/core",
    "daemon/quired",
    "daemon/cli",
    "daemon/vault",
    "daemon/pam",
    "backends",
    "filters",
    "tests",
    "tests/sim",
    "packaging",
];

macro_rules! no_cycles {
    ($($test:ident => $dir:expr),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                assert_acyclic($dir);
            }
        )*
    };
}

no_cycles! {
    quire_client_has_no_import_cycle => "daemon/client",
    quire_ipp_has_no_import_cycle => "daemon/ipp",
    quire_config_has_no_import_cycle => "daemon/config",
    quire_cupsfiles_has_no_import_cycle => "daemon/cupsfiles",
    quire_dnssd_has_no_import_cycle => "daemon/dnssd",
    quire_store_has_no_import_cycle => "daemon/store",
    quire_core_has_no_import_cycle => "daemon/core",
    quired_has_no_import_cycle => "daemon/quired",
    quire_cli_has_no_import_cycle => "daemon/cli",
    quire_vault_has_no_import_cycle => "daemon/vault",
    quire_pam_has_no_import_cycle => "daemon/pam",
    quire_backends_has_no_import_cycle => "backends",
    quire_filters_has_no_import_cycle => "filters",
    quire_tests_has_no_import_cycle => "tests",
    quire_sim_has_no_import_cycle => "tests/sim",
    quire_packaging_has_no_import_cycle => "packaging",
}

/// Modules that may refer to each other because one type spans them: the codec's value
/// holds attributes (a collection's members), an attribute holds values.
const ONE_TYPE: &[(&str, &[&str])] = &[("daemon/ipp/src/lib.rs", &["message", "value"])];

/// The most lines of code (not blank, not only a comment) in a file and in a function.
const MAX_FILE_LINES: usize = 800;
const MAX_FN_LINES: usize = 80;

/// Functions allowed past [`MAX_FN_LINES`], with why: (file, function).
const LONG_BY_NATURE: &[(&str, &str)] = &[
    // cupsd's default for each directive, one struct field a line: one list to read and
    // compare with cupsd's, which splitting would scatter.
    ("daemon/config/src/defaults.rs", "default"),
];

#[test]
fn files_and_functions_are_short() {
    let mut long = Vec::new();
    for dir in CRATES {
        for file in sources(&root().join(dir).join("src")) {
            let code = strip(&read(&file));
            let rel = file.strip_prefix(root()).unwrap_or(&file).display().to_string();
            let lines = code_lines(&code);
            if lines > MAX_FILE_LINES {
                long.push(format!("{rel}: {lines} lines of code (at most {MAX_FILE_LINES})"));
            }
            let allowed = |name: &str| LONG_BY_NATURE.contains(&(rel.as_str(), name));
            for (name, line, n) in
                functions(&code).into_iter().filter(|f| f.2 > MAX_FN_LINES && !allowed(&f.0))
            {
                long.push(format!(
                    "{rel}:{line}: fn {name} has {n} lines of code (at most {MAX_FN_LINES})"
                ));
            }
        }
    }
    assert!(long.is_empty(), "too long to read:\n{}", long.join("\n"));
}

#[test]
fn every_workspace_member_is_checked() {
    let manifest = read(&root().join("Cargo.toml"));
    let members: BTreeSet<&str> = manifest
        .split("members")
        .nth(1)
        .and_then(|m| m.split(']').next())
        .map(|list| list.split('"').skip(1).step_by(2).collect())
        .unwrap_or_default();
    assert!(!members.is_empty(), "no members in Cargo.toml");
    assert_eq!(
        members,
        CRATES.iter().copied().collect(),
        "CRATES (and a no_cycles! entry) for each member"
    );
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Checks each crate root of the package in `dir` (its library, its binaries).
fn assert_acyclic(dir: &str) {
    let src = root().join(dir).join("src");
    let mut cycles = Vec::new();
    for crate_root in crate_roots(&src) {
        let rel = crate_root.strip_prefix(root()).unwrap_or(&crate_root).display().to_string();
        let mut graph = Graph::of(&crate_root);
        for (_, modules) in ONE_TYPE.iter().filter(|(at, _)| *at == rel) {
            graph.allow(modules);
        }
        for cycle in graph.cycles() {
            cycles.push(format!("{rel}: {cycle}"));
        }
    }
    assert!(cycles.is_empty(), "import cycles between top-level modules:\n{}", cycles.join("\n"));
}

/// lib.rs, main.rs, and each binary under src/bin.
fn crate_roots(src: &Path) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> =
        ["lib.rs", "main.rs"].iter().map(|f| src.join(f)).filter(|p| p.is_file()).collect();
    if let Ok(entries) = fs::read_dir(src.join("bin")) {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "rs") {
                roots.push(p);
            } else if p.join("main.rs").is_file() {
                roots.push(p.join("main.rs"));
            }
        }
    }
    roots.sort();
    roots
}

/// Every `.rs` file under `dir` but tests.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(sources(&p));
        } else if p.extension().is_some_and(|x| x == "rs") && !is_test_file(&p) {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn is_test_file(p: &Path) -> bool {
    p.file_stem()
        .and_then(|s| s.to_str())
        .is_some_and(|s| s == "tests" || s.ends_with("_tests") || s.starts_with("tests_"))
}

/// A path out of one module: where it goes, and where it is written.
struct Edge {
    to: String,
    at: String,
}

struct Graph {
    edges: BTreeMap<String, Vec<Edge>>,
}

impl Graph {
    fn of(crate_root: &Path) -> Graph {
        let dir = crate_root.parent().unwrap_or(Path::new("."));
        let text = strip(&read(crate_root));
        let modules = declared_modules(&strip_comments(&read(crate_root)), dir);
        let reexports = reexports(&text, &modules);
        let mut edges = BTreeMap::new();
        for (name, files) in &modules {
            let mut out = Vec::new();
            for (file, depth) in files {
                let code = strip(&read(file));
                for (line, target) in references(&code, *depth) {
                    let to = if modules.contains_key(&target) {
                        Some(target)
                    } else {
                        reexports.get(&target).cloned()
                    };
                    let place = file.strip_prefix(root()).unwrap_or(file).display();
                    match to {
                        Some(to) if to != *name => {
                            out.push(Edge { to, at: format!("{place}:{line}") })
                        }
                        _ => {}
                    }
                }
            }
            edges.insert(name.clone(), out);
        }
        Graph { edges }
    }

    /// Drops the edges between these modules (see [`ONE_TYPE`]).
    fn allow(&mut self, modules: &[&str]) {
        for (_, edges) in self.edges.iter_mut().filter(|(from, _)| modules.contains(&from.as_str()))
        {
            edges.retain(|e| !modules.contains(&e.to.as_str()));
        }
    }

    /// One cycle for each strongly connected group of modules, written out with where
    /// each edge is: `a -> b (a.rs:3) -> a (b.rs:7)`.
    fn cycles(&self) -> Vec<String> {
        let names: Vec<&String> = self.edges.keys().collect();
        let reach = |from: &str| -> BTreeSet<String> {
            let mut seen = BTreeSet::new();
            let mut todo = vec![from.to_string()];
            while let Some(n) = todo.pop() {
                for e in self.edges.get(&n).into_iter().flatten() {
                    if seen.insert(e.to.clone()) {
                        todo.push(e.to.clone());
                    }
                }
            }
            seen
        };
        let mut done: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::new();
        for n in names {
            if done.contains(n.as_str()) || !reach(n).contains(n.as_str()) {
                continue;
            }
            // The group: every module on a cycle through `n`.
            let group: BTreeSet<String> =
                reach(n).into_iter().filter(|m| reach(m).contains(n.as_str())).collect();
            done.extend(group.iter().cloned());
            out.push(format!(
                "{{{}}}: {}",
                group.iter().cloned().collect::<Vec<_>>().join(", "),
                self.path_back(n)
            ));
        }
        out
    }

    /// The shortest cycle from `start` back to itself.
    fn path_back(&self, start: &str) -> String {
        let mut prev: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.to_string()]);
        while let Some(n) = queue.pop_front() {
            for e in self.edges.get(&n).into_iter().flatten() {
                if prev.contains_key(&e.to) {
                    continue;
                }
                prev.insert(e.to.clone(), (n.clone(), e.at.clone()));
                if e.to == start {
                    queue.clear();
                    break;
                }
                queue.push_back(e.to.clone());
            }
        }
        let mut steps = Vec::new();
        let mut at = start.to_string();
        while let Some((from, place)) = prev.get(&at) {
            steps.push(format!("-> {at} ({place})"));
            if from == start || steps.len() > prev.len() {
                break;
            }
            at = from.clone();
        }
        steps.reverse();
        format!("{start} {}", steps.join(" "))
    }
}

/// The top-level modules a crate root declares (not `#[cfg(test)]` ones), each with its
/// files and their depth below the root (a module's own file is 1).
fn declared_modules(root_text: &str, dir: &Path) -> BTreeMap<String, Vec<(PathBuf, usize)>> {
    let mut out = BTreeMap::new();
    let mut attrs = String::new();
    for line in root_text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with("#[") {
            attrs.push_str(line);
            continue;
        }
        let decl = line.trim_start_matches("pub(crate) ").trim_start_matches("pub ");
        if let Some(name) =
            decl.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')).map(str::trim)
        {
            let test = attrs.contains("cfg(test)") || name == "tests" || name.ends_with("_tests");
            if !test {
                out.insert(name.to_string(), module_files(dir, name, &attrs));
            }
        }
        attrs.clear();
    }
    out
}

fn module_files(dir: &Path, name: &str, attrs: &str) -> Vec<(PathBuf, usize)> {
    if let Some(path) = attrs.split("path = \"").nth(1).and_then(|r| r.split('"').next()) {
        return vec![(dir.join(path), 1)];
    }
    let mut files = Vec::new();
    if dir.join(format!("{name}.rs")).is_file() {
        files.push((dir.join(format!("{name}.rs")), 1));
    }
    let sub = dir.join(name);
    for f in sources(&sub) {
        let rel = f.strip_prefix(&sub).map(Path::to_path_buf).unwrap_or_default();
        let parts = rel.components().count();
        let depth = if rel.file_name().is_some_and(|n| n == "mod.rs") { parts } else { parts + 1 };
        files.push((f, depth));
    }
    files
}

/// Names the root re-exports (`pub use module::{A, B as C};`), by the module they come from.
fn reexports(
    root_text: &str,
    modules: &BTreeMap<String, Vec<(PathBuf, usize)>>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for stmt in root_text.split(';') {
        let Some(rest) = stmt.trim().strip_prefix("pub use ") else { continue };
        let rest = rest.trim_start_matches("crate::").trim_start_matches("self::");
        let module = rest.split("::").next().unwrap_or("").trim();
        if !modules.contains_key(module) {
            continue;
        }
        for item in rest.split([',', '{', '}']).map(str::trim).filter(|s| !s.is_empty()) {
            let name = item
                .rsplit(" as ")
                .next()
                .unwrap_or(item)
                .rsplit("::")
                .next()
                .unwrap_or(item)
                .trim();
            if !name.is_empty() && name != module {
                out.insert(name.to_string(), module.to_string());
            }
        }
    }
    out
}

/// Every top-level name a file at `depth` refers to from the crate root: (line, name).
fn references(code: &str, depth: usize) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut i = 0;
    while i < bytes.len() {
        let word_start = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b':');
        if word_start && code[i..].starts_with("crate::") {
            let at = i + "crate::".len();
            out.extend(first_segments(&code[at..]).into_iter().map(|n| (line_of(i), n)));
            i = at;
        } else if word_start && code[i..].starts_with("super::") {
            let mut at = i;
            let mut ups = 0;
            while code[at..].starts_with("super::") {
                ups += 1;
                at += "super::".len();
            }
            if ups >= depth {
                out.extend(first_segments(&code[at..]).into_iter().map(|n| (line_of(i), n)));
            }
            i = at;
        } else {
            i += 1;
        }
    }
    out
}

/// The first segment of a path, or of each path in a `{…}` group.
fn first_segments(rest: &str) -> Vec<String> {
    let ident = |s: &str| {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    if !rest.starts_with('{') {
        return vec![ident(rest)];
    }
    let mut depth = 0;
    let mut items = vec![String::new()];
    for c in rest.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 1 => break,
            '}' => depth -= 1,
            ',' if depth == 1 => items.push(String::new()),
            _ if depth == 1 => {
                if let Some(item) = items.last_mut() {
                    item.push(c);
                }
            }
            _ => {}
        }
    }
    items.iter().map(|s| ident(s)).filter(|s| !s.is_empty() && s != "self").collect()
}

/// The code without comments, string and char literals (their lines kept) and without
/// `#[cfg(test)]` modules.
fn strip(text: &str) -> String {
    strip_with(text, false)
}

/// The same, string literals kept (for `#[path = "…"]`).
fn strip_comments(text: &str) -> String {
    strip_with(text, true)
}

fn strip_with(text: &str, keep_strings: bool) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(rest.len(), |e| e + 2);
            out.extend(rest[..end].chars().filter(|c| *c == '\n'));
            i += end;
        } else if let Some(len) = string_literal(rest) {
            if keep_strings {
                out.push_str(&rest[..len]);
            } else {
                out.push_str("\"\"");
                out.extend(rest[..len].chars().filter(|c| *c == '\n'));
            }
            i += len;
        } else if rest.starts_with('\'') && rest.len() > 2 && char_literal(rest).is_some() {
            out.push_str("' '");
            i += char_literal(rest).unwrap_or(1);
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    without_test_modules(&out)
}

/// The length of a string literal at the start of `s` ("…", b"…", r"…", r#"…"#).
fn string_literal(s: &str) -> Option<usize> {
    let body = s.strip_prefix('b').unwrap_or(s);
    let prefix = s.len() - body.len();
    if let Some(raw) = body.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let open = &raw[hashes..];
        if !open.starts_with('"') {
            return None;
        }
        let close = format!("\"{}", "#".repeat(hashes));
        return open[1..].find(&close).map(|e| prefix + 1 + hashes + 1 + e + close.len());
    }
    if !body.starts_with('"') {
        return None;
    }
    let mut escaped = false;
    for (j, c) in body.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(prefix + j + 1),
            _ => {}
        }
    }
    Some(s.len())
}

/// The length of a char literal at the start of `s` ('a', '\n', '\''), not a lifetime.
fn char_literal(s: &str) -> Option<usize> {
    let mut chars = s.char_indices().skip(1);
    let (_, c) = chars.next()?;
    if c == '\\' {
        chars.next()?;
        let (end, _) = chars.find(|(_, c)| *c == '\'')?;
        return Some(end + 1);
    }
    let (end, close) = chars.next()?;
    (close == '\'').then_some(end + 1)
}

fn without_test_modules(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let trimmed = after.trim_start();
        let is_block_mod = trimmed.starts_with("mod ")
            && trimmed.find(['{', ';']).is_some_and(|k| trimmed.as_bytes()[k] == b'{');
        if !is_block_mod {
            out.push_str("#[cfg(test)]");
            rest = after;
            continue;
        }
        let start = after.find('{').unwrap_or(0);
        let end = block_end(after, start).unwrap_or(after.len());
        out.extend(after[..end].chars().filter(|c| *c == '\n'));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The index just past the `}` closing the `{` at `open`.
fn block_end(code: &str, open: usize) -> Option<usize> {
    let mut depth = 0;
    for (j, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + j + 1);
                }
            }
            _ => {}
        }
    }
    None
}

fn code_lines(code: &str) -> usize {
    code.lines().filter(|l| !l.trim().is_empty()).count()
}

/// Each function with a body: (name, line, lines of code).
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(k) = code[from..].find("fn ") {
        let at = from + k;
        from = at + 3;
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let name: String =
            code[at + 3..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if name.is_empty() {
            continue;
        }
        let Some(brace) = body_start(&code[at..]) else { continue };
        if let Some(end) = block_end(code, at + brace) {
            out.push((name, code[..at].matches('\n').count() + 1, code_lines(&code[at..end])));
        }
    }
    out
}

/// Where the body of the function whose signature starts `sig` opens; None for a
/// declaration without one (`fn f(x: [u8; 4]);`).
fn body_start(sig: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (j, c) in sig.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            '{' if depth == 0 => return Some(j),
            ';' if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

#[test]
fn the_checker_finds_a_cycle_and_says_where() {
    let dir = std::env::temp_dir().join(format!("quire-layering-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("b")).expect("temp dir");
    let write = |p: &str, s: &str| fs::write(dir.join(p), s).expect("write");
    write("lib.rs", "mod a;\nmod b;\nmod c;\n#[cfg(test)]\nmod t;\npub use c::Thing;\n");
    write("a.rs", "// crate::c in a comment\nuse crate::b::B;\nconst S: &str = \"crate::c\";\n");
    write("b.rs", "mod inner;\n");
    write("b/inner.rs", "use super::super::Thing;\npub struct B;\n");
    write("c.rs", "use crate::{a, b::B};\npub struct Thing(Box<Thing>);\n#[cfg(test)]\nmod tests { use crate::x; }\n");
    let graph = Graph::of(&dir.join("lib.rs"));
    let edges: Vec<(String, String)> = graph
        .edges
        .iter()
        .flat_map(|(from, es)| es.iter().map(move |e| (from.clone(), e.to.clone())))
        .collect();
    let pairs = |v: &[(&str, &str)]| {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>()
    };
    assert_eq!(edges, pairs(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "b")]));
    let cycles = graph.cycles();
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert!(
        cycles[0].starts_with("{a, b, c}: a -> b (")
            && cycles[0].contains("a.rs:2)")
            && cycles[0].contains("inner.rs:1)"),
        "{}",
        cycles[0]
    );
    let _ = fs::remove_dir_all(&dir);
}
