//! `lpoptions -l`: a destination's PPD options, fetched from the server (`GET
//! /printers/NAME.ppd`) and printed one per line as `Keyword/Text: choice *marked ...`.
//!
//! A small reader, enough for listing: groups and subgroups (`OpenGroup`, `OpenSubGroup`),
//! the `OpenUI`/`CloseUI` blocks and the choices inside them, `Default` lines, and custom
//! options (`CustomKeyword` with its `ParamCustomKeyword` types). The choice marked is the
//! PPD's default, or the one the destination's saved options pick.

use crate::dests::Dest;
use crate::session::{CliError, Ctx};

/// The largest PPD read (real ones are well under 1 MiB).
const MAX_PPD: usize = 4 << 20;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PpdOption {
    pub keyword: String,
    pub text: String,
    pub choices: Vec<String>,
    pub default: Option<String>,
    /// `Some` when the option takes custom values: its parameters' types.
    pub custom: Option<Vec<(String, String)>>,
}

/// A group's options, then its subgroups' (as CUPS lists them).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PpdGroup {
    pub name: String,
    pub options: Vec<PpdOption>,
    pub subgroups: Vec<PpdGroup>,
}

/// `*Main Option/Text: value` split into (main keyword, option keyword, its text); the main
/// keyword keeps no `*`.
fn split_line(line: &str) -> Option<(&str, &str, &str)> {
    let body = line.strip_prefix('*')?;
    if body.starts_with('%') {
        return None;
    }
    let head = body.split_once(':').map_or(body, |(h, _)| h);
    let (main, option) = match head.find(char::is_whitespace) {
        Some(i) => (&head[..i], head[i..].trim()),
        None => (head, ""),
    };
    let (option, text) = option.split_once('/').unwrap_or((option, ""));
    Some((main, option.trim(), text.trim()))
}

fn value_of(line: &str) -> &str {
    line.split_once(':').map_or("", |(_, v)| v.trim())
}

fn group_at<'a>(groups: &'a mut Vec<PpdGroup>, name: &str) -> &'a mut PpdGroup {
    let at = match groups.iter().position(|g| g.name == name) {
        Some(at) => at,
        None => {
            groups.push(PpdGroup { name: name.to_string(), ..PpdGroup::default() });
            groups.len() - 1
        }
    };
    &mut groups[at]
}

/// Where the reader is: the group and subgroup open, and the option being read.
#[derive(Default)]
struct Cursor {
    group: Option<String>,
    subgroup: Option<String>,
    option: Option<String>,
}

/// Reads the groups and options of a PPD's text.
pub fn parse(text: &str) -> Vec<PpdGroup> {
    let mut groups: Vec<PpdGroup> = Vec::new();
    let mut defaults: Vec<(String, String)> = Vec::new();
    let mut customs: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut at = Cursor::default();
    for line in text.lines() {
        let Some((main, option, text)) = split_line(line) else { continue };
        match main {
            "OpenGroup" => at.group = Some(value_of(line).split('/').next().unwrap_or("").into()),
            "CloseGroup" => at.group = None,
            "OpenSubGroup" => {
                at.subgroup = Some(value_of(line).split('/').next().unwrap_or("").into())
            }
            "CloseSubGroup" => at.subgroup = None,
            "OpenUI" | "JCLOpenUI" => {
                let keyword = option.trim_start_matches('*').to_string();
                let text = if text.is_empty() { keyword.clone() } else { text.to_string() };
                let group = group_at(&mut groups, at.group.as_deref().unwrap_or("General"));
                let group = match &at.subgroup {
                    Some(sub) => group_at(&mut group.subgroups, sub),
                    None => group,
                };
                group.options.push(PpdOption {
                    keyword: keyword.clone(),
                    text,
                    ..PpdOption::default()
                });
                at.option = Some(keyword);
            }
            "CloseUI" | "JCLCloseUI" => at.option = None,
            m if m.starts_with("Default") && option.is_empty() => {
                defaults.push((m["Default".len()..].to_string(), value_of(line).to_string()));
            }
            m if m.starts_with("ParamCustom") => {
                let types = value_of(line).split_whitespace().nth(1).unwrap_or("").to_string();
                let kw = &m["ParamCustom".len()..];
                match customs.iter_mut().find(|(k, _)| k == kw) {
                    Some((_, params)) => params.push((option.to_string(), types)),
                    None => customs.push((kw.to_string(), vec![(option.to_string(), types)])),
                }
            }
            m if m.starts_with("Custom") && option.eq_ignore_ascii_case("true") => {
                let kw = &m["Custom".len()..];
                if !customs.iter().any(|(k, _)| k == kw) {
                    customs.push((kw.to_string(), Vec::new()));
                }
            }
            m if at.option.as_deref() == Some(m) && !option.is_empty() => {
                if let Some(opt) = find_mut(&mut groups, m) {
                    opt.choices.push(option.to_string());
                }
            }
            _ => {}
        }
    }
    for (kw, choice) in defaults {
        if let Some(opt) = find_mut(&mut groups, &kw) {
            opt.default = Some(choice);
        }
    }
    for (kw, params) in customs {
        if let Some(opt) = find_mut(&mut groups, &kw) {
            opt.custom = Some(params);
        }
    }
    groups
}

fn find_mut<'a>(groups: &'a mut [PpdGroup], keyword: &str) -> Option<&'a mut PpdOption> {
    for g in groups {
        if let Some(i) = g.options.iter().position(|o| o.keyword == keyword) {
            return Some(&mut g.options[i]);
        }
        if let Some(o) = find_mut(&mut g.subgroups, keyword) {
            return Some(o);
        }
    }
    None
}

/// The PPD choice an IPP option's value stands for, for the options CUPS maps (media by
/// name, sides as Duplex).
fn ipp_choice<'a>(keyword: &str, saved: &'a Dest) -> Option<&'a str> {
    match keyword {
        "PageSize" => saved.options.get("media"),
        "Duplex" => match saved.options.get("sides")? {
            "one-sided" => Some("None"),
            "two-sided-long-edge" => Some("DuplexNoTumble"),
            "two-sided-short-edge" => Some("DuplexTumble"),
            _ => None,
        },
        _ => None,
    }
}

/// The choice marked: a saved option named as the keyword, else one an IPP option maps to,
/// else the PPD's default.
fn marked<'a>(opt: &'a PpdOption, saved: &Dest) -> Option<&'a str> {
    let pick = |v: &str| {
        v.split(',').find_map(|w| opt.choices.iter().find(|c| c.eq_ignore_ascii_case(w.trim())))
    };
    let by_name = saved.options.get(&opt.keyword).and_then(pick);
    let by_ipp = ipp_choice(&opt.keyword, saved).and_then(pick);
    by_name.or(by_ipp).map(String::as_str).or(opt.default.as_deref())
}

/// The custom choice as CUPS shows it: `Custom.WIDTHxHEIGHT` for page sizes,
/// `Custom.TYPE` for one parameter, `{name=TYPE ...}` for several.
fn custom_text(opt: &PpdOption, params: &[(String, String)], mark: &str) -> String {
    let kind = |t: &str| match t {
        "int" => "INTEGER".to_string(),
        t => t.to_ascii_uppercase(),
    };
    match params {
        _ if opt.keyword == "PageSize" => format!(" {mark}Custom.WIDTHxHEIGHT"),
        [] => format!(" {mark}Custom"),
        [(_, t)] => format!(" {mark}Custom.{}", kind(t)),
        many => {
            let inner: Vec<String> = many.iter().map(|(n, t)| format!("{n}={}", kind(t))).collect();
            format!(" {mark}{{{}}}", inner.join(" "))
        }
    }
}

/// The lines `lpoptions -l` prints for `groups`.
pub fn lines(groups: &[PpdGroup], saved: &Dest) -> Vec<String> {
    let mut out = Vec::new();
    for g in groups {
        for opt in g.options.iter().filter(|o| !o.keyword.eq_ignore_ascii_case("PageRegion")) {
            let mark = marked(opt, saved);
            let mut line = format!("{}/{}:", opt.keyword, opt.text);
            for c in &opt.choices {
                let star = if mark == Some(c.as_str()) { "*" } else { "" };
                line.push_str(&format!(" {star}{c}"));
            }
            if let Some(params) = &opt.custom {
                let star = if mark == Some("Custom") { "*" } else { "" };
                line.push_str(&custom_text(opt, params, star));
            }
            out.push(line);
        }
        out.extend(lines(&g.subgroups, saved));
    }
    out
}

/// Prints the destination's PPD options; a destination without a PPD gets CUPS's message on
/// standard error and the command goes on.
pub fn list(ctx: &mut Ctx, dest: &Dest) {
    match fetch(ctx, &dest.name) {
        Ok(text) => {
            for line in lines(&parse(&text), dest) {
                out!("{line}");
            }
        }
        Err(e) => eprintln!("lpoptions: Unable to get PPD file for {}: {e}", dest.name),
    }
}

fn fetch(ctx: &mut Ctx, name: &str) -> Result<String, CliError> {
    let (status, body) = ctx.client()?.get(&format!("/printers/{name}.ppd"))?;
    match status {
        200 if body.len() <= MAX_PPD => Ok(String::from_utf8_lossy(&body).into_owned()),
        200 => Err(CliError::Msg("the PPD is too large".into())),
        404 => Err(CliError::Msg("Not Found".into())),
        s => Err(CliError::Msg(format!("HTTP error {s}"))),
    }
}

#[cfg(test)]
#[path = "ppd_options_tests.rs"]
mod tests;
