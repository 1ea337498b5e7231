//! Line-oriented parser for cupsd.conf and cups-files.conf (Apache-like syntax).
//!
//! Mirrors cupsd's reader: `#` starts a comment anywhere on a line unless escaped as `\#`,
//! leading/trailing whitespace is ignored, the first word is the (case-insensitive) directive
//! name and the rest of the line is its value. `<Name args>` opens a block, `</Name>` closes it.

use std::path::Path;

use crate::diag::{Diagnostic, Loc};

/// One `Name value...` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The name as written (compare case-insensitively).
    pub name: String,
    /// The raw rest of the line, trimmed, comments removed, `\#` unescaped.
    pub args: String,
    /// Where the name starts.
    pub loc: Loc,
    /// 1-based column where `args` starts (the end of the name if `args` is empty).
    pub args_col: usize,
}

impl Directive {
    /// Location of the value, for diagnostics about it.
    pub fn args_loc(&self) -> Loc {
        Loc { col: self.args_col, ..self.loc.clone() }
    }
}

/// The block types cupsd knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Policy,
    Limit,
    LimitExcept,
    Location,
    /// Any other `<Tag>`; validation warns about it.
    Unknown,
}

/// A `<Name args> ... </Name>` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The tag as written, e.g. `Policy`.
    pub name: String,
    /// Text between the tag name and `>`, trimmed.
    pub args: String,
    pub children: Vec<Node>,
    /// Where the `<` is.
    pub loc: Loc,
    pub args_col: usize,
}

impl Block {
    pub fn kind(&self) -> BlockKind {
        block_kind(&self.name)
    }

    pub fn args_loc(&self) -> Loc {
        Loc { col: self.args_col, ..self.loc.clone() }
    }
}

fn block_kind(name: &str) -> BlockKind {
    match name.to_ascii_lowercase().as_str() {
        "policy" => BlockKind::Policy,
        "limit" => BlockKind::Limit,
        "limitexcept" => BlockKind::LimitExcept,
        "location" => BlockKind::Location,
        _ => BlockKind::Unknown,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Directive(Directive),
    Block(Block),
}

impl Node {
    pub fn loc(&self) -> &Loc {
        match self {
            Node::Directive(d) => &d.loc,
            Node::Block(b) => &b.loc,
        }
    }
}

/// One meaningful line after comment stripping.
enum Line {
    Directive { name: String, args: String, col: usize, args_col: usize },
    Open { name: String, args: String, col: usize, args_col: usize },
    Close { name: String, col: usize },
}

/// Parse the text of a configuration file. `path` is used only for diagnostics.
/// Never panics; structural problems are Errors and the parser recovers from them.
pub fn parse(text: &str, path: &Path) -> (Vec<Node>, Vec<Diagnostic>) {
    let mut p = Parser { path, top: Vec::new(), stack: Vec::new(), diags: Vec::new() };
    for (idx, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let line_no = idx + 1;
        match split_line(raw, path, line_no, &mut p.diags) {
            None => {}
            Some(Line::Directive { name, args, col, args_col }) => {
                let loc = p.loc(line_no, col);
                if name.eq_ignore_ascii_case("Include") {
                    p.diags.push(Diagnostic::warning(
                        &loc,
                        format!(
                            "Include is not supported (cupsd removed it); \"{args}\" was not read"
                        ),
                    ));
                    continue;
                }
                p.push(Node::Directive(Directive { name, args, loc, args_col }));
            }
            Some(Line::Open { name, args, col, args_col }) => {
                let loc = p.loc(line_no, col);
                p.stack.push(Block { name, args, children: Vec::new(), loc, args_col });
            }
            Some(Line::Close { name, col }) => {
                let loc = p.loc(line_no, col);
                p.close(&name, &loc);
            }
        }
    }
    while let Some(b) = p.stack.pop() {
        p.diags.push(Diagnostic::error(
            &b.loc,
            format!("<{}> is never closed (missing </{}>)", b.name, b.name),
        ));
        p.push(Node::Block(b));
    }
    (p.top, p.diags)
}

struct Parser<'a> {
    path: &'a Path,
    top: Vec<Node>,
    stack: Vec<Block>,
    diags: Vec<Diagnostic>,
}

impl Parser<'_> {
    fn loc(&self, line: usize, col: usize) -> Loc {
        Loc { file: self.path.to_path_buf(), line, col }
    }

    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some(b) => b.children.push(node),
            None => self.top.push(node),
        }
    }

    fn close(&mut self, name: &str, loc: &Loc) {
        let Some(pos) = self.stack.iter().rposition(|b| b.name.eq_ignore_ascii_case(name)) else {
            let msg = match self.stack.last() {
                Some(open) => format!(
                    "</{name}> does not match <{}> opened at line {}; ignored",
                    open.name, open.loc.line
                ),
                None => format!("</{name}> without a matching <{name}>; ignored"),
            };
            self.diags.push(Diagnostic::error(loc, msg));
            return;
        };
        while self.stack.len() > pos + 1 {
            if let Some(inner) = self.stack.pop() {
                self.diags.push(Diagnostic::error(
                    &inner.loc,
                    format!("<{}> is not closed before </{name}> at line {}", inner.name, loc.line),
                ));
                self.push(Node::Block(inner));
            }
        }
        if let Some(b) = self.stack.pop() {
            self.push(Node::Block(b));
        }
    }
}

/// Remove a comment: the first `#` not preceded by a backslash ends the line.
fn strip_comment(raw: &str) -> &str {
    let bytes = raw.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1] != b'\\') {
            return &raw[..i];
        }
    }
    raw
}

fn col_of(line: &str, byte_idx: usize) -> usize {
    line[..byte_idx].chars().count() + 1
}

/// Split one raw line into its parts; `None` for blank and comment-only lines.
fn split_line(raw: &str, path: &Path, line_no: usize, diags: &mut Vec<Diagnostic>) -> Option<Line> {
    let content = strip_comment(raw).trim_end();
    let start = content.len() - content.trim_start().len();
    let body = &content[start..];
    if body.is_empty() {
        return None;
    }
    let col = col_of(raw, start);
    if !body.starts_with('<') {
        let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
        let rest = &body[name_end..];
        let args_start = start + name_end + (rest.len() - rest.trim_start().len());
        return Some(Line::Directive {
            name: body[..name_end].to_string(),
            args: unescape(rest.trim()),
            col,
            args_col: col_of(raw, args_start),
        });
    }
    let loc = Loc { file: path.to_path_buf(), line: line_no, col };
    let inner = match body.strip_suffix('>') {
        Some(inner) => inner,
        None => {
            diags.push(Diagnostic::error(&loc, "missing '>' at the end of the block tag"));
            body
        }
    };
    let (closing, tag) = match inner[1..].strip_prefix('/') {
        Some(t) => (true, t),
        None => (false, &inner[1..]),
    };
    let tag_off = start + (inner.len() - tag.len());
    let name_end = tag.find(|c: char| c.is_whitespace() || c == '>').unwrap_or(tag.len());
    let name = tag[..name_end].to_string();
    if name.is_empty() {
        diags.push(Diagnostic::error(&loc, "block tag without a name; line ignored"));
        return None;
    }
    let rest = &tag[name_end..];
    if closing {
        if !rest.trim().is_empty() {
            diags.push(Diagnostic::warning(&loc, format!("text after </{name}> ignored")));
        }
        return Some(Line::Close { name, col });
    }
    let args_start = tag_off + name_end + (rest.len() - rest.trim_start().len());
    Some(Line::Open { name, args: unescape(rest.trim()), col, args_col: col_of(raw, args_start) })
}

fn unescape(s: &str) -> String {
    s.replace("\\#", "#")
}
