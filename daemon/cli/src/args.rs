//! The command line as CUPS's commands read it: single-letter options scanned by hand,
//! job ids written `Q-12`, and comma- or space-separated lists of names.

use crate::session::CliError;

/// How a single-letter option takes its argument (CUPS style: `-dQ` or `-d Q`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    Flag,
    Value,
    /// Takes the rest of the word, or the next word if it does not start with '-'.
    Optional,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Opt(char, Option<String>),
    Operand(String),
    Help,
}

/// The options every command takes to reach the scheduler: `-E` (encryption), `-h server`
/// and `-U user`; Quire's own commands take no others.
pub fn connection_option(c: char) -> Option<ArgKind> {
    match c {
        'E' => Some(ArgKind::Flag),
        'h' | 'U' => Some(ArgKind::Value),
        _ => None,
    }
}

/// Splits `args` into options and operands the way CUPS's hand-written
/// parsers do: options may be grouped (`-tl`), values attached (`-dQ`) or
/// separate (`-d Q`), "--" ends options and a lone "-" is an operand.
pub fn tokenize(
    args: &[String],
    kind: impl Fn(char) -> Option<ArgKind>,
) -> Result<Vec<Tok>, CliError> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut end_of_options = false;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if end_of_options || arg == "-" || !arg.starts_with('-') {
            out.push(Tok::Operand(arg.clone()));
            continue;
        }
        if arg == "--help" {
            out.push(Tok::Help);
            continue;
        }
        if arg == "--" {
            end_of_options = true;
            continue;
        }
        if arg.starts_with("--") {
            return Err(CliError::Usage(format!("Error - unknown option \"{arg}\".")));
        }
        let body = &arg[1..];
        for (pos, c) in body.char_indices() {
            let rest = &body[pos + c.len_utf8()..];
            match kind(c) {
                None => return Err(CliError::Usage(format!("Error - unknown option \"{c}\"."))),
                Some(ArgKind::Flag) => {
                    out.push(Tok::Opt(c, None));
                    continue;
                }
                Some(ArgKind::Value) if !rest.is_empty() => {
                    out.push(Tok::Opt(c, Some(rest.to_string())))
                }
                Some(ArgKind::Value) => match args.get(i) {
                    Some(v) => {
                        out.push(Tok::Opt(c, Some(v.clone())));
                        i += 1;
                    }
                    None => {
                        return Err(CliError::Usage(format!(
                            "Error - expected value after \"-{c}\" option."
                        )))
                    }
                },
                Some(ArgKind::Optional) if !rest.is_empty() => {
                    out.push(Tok::Opt(c, Some(rest.to_string())))
                }
                Some(ArgKind::Optional) => match args.get(i) {
                    Some(v) if !v.starts_with('-') => {
                        out.push(Tok::Opt(c, Some(v.clone())));
                        i += 1;
                    }
                    _ => out.push(Tok::Opt(c, None)),
                },
            }
            // A value option consumes the rest of this word.
            break;
        }
    }
    Ok(out)
}

/// Parses a job id as CUPS does for "-i": "Q-12" or "12".
pub fn parse_job_id(s: &str) -> Option<i32> {
    let digits = s.rsplit_once('-').map(|(_, id)| id).unwrap_or(s);
    digits.parse::<i32>().ok().filter(|&n| n > 0)
}

/// CUPS's match_list: `list` holds names separated by commas or spaces; an
/// empty or missing list matches everything; comparison ignores case.
pub fn match_list(list: Option<&str>, name: Option<&str>) -> bool {
    let list = match list {
        None => return true,
        Some(l) if l.trim().is_empty() => return true,
        Some(l) => l,
    };
    let Some(name) = name else { return false };
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .any(|s| s.eq_ignore_ascii_case(name))
}

#[cfg(test)]
#[path = "args_tests.rs"]
mod tests;
