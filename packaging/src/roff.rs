//! Text into roff (man(7)) without surprises: backslashes, leading dots and quotes, and
//! Markdown code spans (the directive table's notes use them) as bold.

/// `text` as the body of a roff line: `\` escaped, `-` as a hyphen-minus, `` `x` `` in bold.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut bold = false;
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            '`' => {
                out.push_str(if bold { "\\fR" } else { "\\fB" });
                bold = !bold;
            }
            _ => out.push(c),
        }
    }
    if bold {
        out.push_str("\\fR");
    }
    // A line starting with '.' or '\'' would be read as a request.
    if out.starts_with('.') || out.starts_with('\'') {
        out.insert_str(0, "\\&");
    }
    out
}
