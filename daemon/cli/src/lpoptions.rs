//! `quire lpoptions`: a destination's saved options and the default destination, kept in
//! the lpoptions files as CUPS's lpoptions keeps them ([`crate::dests`]), and with `-l`
//! the options of its PPD ([`crate::ppd_options`]).
//!
//! The flags act in order, as CUPS's do: `-p`/`-d` choose the destination (whose options are
//! the starting point), `-o`/`-r` change those options, `-x` forgets a destination's saved
//! options, `-d` makes it the default. At the end the options are saved if any changed, or
//! printed on one line if nothing was asked.

use crate::args::{tokenize, ArgKind, Tok};
use crate::dests::{
    env_default, merge_saved, server_dests, split_name, write_file, Dest, Files, OptionList,
};
use crate::session::{CliError, Ctx};

pub const USAGE: &str = "Usage: lpoptions [options] -d destination
       lpoptions [options] [-p destination] [-l]
       lpoptions [options] [-p destination] -o option[=value]
       lpoptions [options] [-p destination] -r option
       lpoptions [options] -x destination
Options:
-d destination          Set default destination
-E                      Encrypt the connection to the server
-h server[:port]        Connect to the named server and port
-l                      Show supported options and values
-o name[=value]         Set default option and value
-p destination          Specify a destination
-r name                 Remove the saved option
-U username             Specify the username to use for authentication
-x destination          Remove default options for destination";

fn arg_kind(c: char) -> Option<ArgKind> {
    match c {
        'E' | 'l' => Some(ArgKind::Flag),
        'd' | 'h' | 'o' | 'p' | 'r' | 'U' | 'x' => Some(ArgKind::Value),
        _ => None,
    }
}

/// What the command line has done to the destinations so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Changes {
    /// Nothing: the destination's options are printed at the end.
    None,
    /// `-o` or `-r`: the options are saved at the end.
    Options,
    /// `-l` or `-x`: done already; nothing more at the end.
    Done,
}

/// The destinations (the server's with the files' lines on top, loaded on first use), the
/// one chosen and the options being edited.
pub struct State {
    pub files: Files,
    /// The server's queues as they are, to leave out of the file what they already give.
    pub server: Vec<Dest>,
    pub dests: Option<Vec<Dest>>,
    pub current: Option<usize>,
    pub options: OptionList,
    changes: Changes,
}

impl State {
    pub fn new(files: Files) -> State {
        State {
            files,
            server: Vec::new(),
            dests: None,
            current: None,
            options: OptionList::default(),
            changes: Changes::None,
        }
    }

    /// Sets the destinations as loaded (for `State::load` and the tests). The default is
    /// the files' `Default`; else the environment's or `server_default`, but (as in CUPS)
    /// only when the files have no line for that queue.
    pub fn set_loaded(&mut self, server: Vec<Dest>, server_default: Option<&str>) {
        let env = env_default();
        let lines = self.files.lines();
        let mut dests = merge_saved(&server, &lines, env.is_some());
        let named = match &env {
            Some((_, v)) => Some(split_name(v)),
            None if dests.iter().any(|d| d.is_default) => None,
            None => server_default.map(|n| (n, None)),
        };
        if let Some((name, instance)) = named {
            if !lines.iter().any(|l| l.name.eq_ignore_ascii_case(name)) {
                dests.iter_mut().for_each(|d| d.is_default = d.is(name, instance));
            }
        }
        self.server = server;
        self.dests = Some(dests);
    }

    /// The default destination's index.
    fn default_index(&self) -> Option<usize> {
        self.dests.as_ref()?.iter().position(|d| d.is_default)
    }

    fn load(&mut self, ctx: &mut Ctx) -> Result<&mut Vec<Dest>, CliError> {
        if self.dests.is_none() {
            let server = server_dests(ctx)?;
            let default = server_default(ctx)?;
            self.set_loaded(server, default.as_deref());
        }
        Ok(self.dests.get_or_insert_with(Vec::new))
    }

    fn dest(&self) -> Option<&Dest> {
        self.dests.as_ref().zip(self.current).and_then(|(d, i)| d.get(i))
    }

    /// The chosen destination's options under those given so far.
    fn seed(&mut self) {
        let Some(dest) = self.dest() else { return };
        let missing: Vec<(String, String)> = dest
            .options
            .iter()
            .filter(|(n, _)| self.options.get(n).is_none())
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        for (n, v) in missing {
            self.options.add(&n, &v);
        }
    }

    /// With no destination chosen yet: the default, else the first.
    fn default_or_first(&mut self, ctx: &mut Ctx) -> Result<Option<usize>, CliError> {
        if self.current.is_none() {
            let any = !self.load(ctx)?.is_empty();
            self.current = self.default_index().or(any.then_some(0));
            self.seed();
        }
        Ok(self.current)
    }

    /// `-p`: the destination, added if the files do not know it yet.
    pub fn choose(&mut self, ctx: &mut Ctx, spec: &str) -> Result<(), CliError> {
        let (name, instance) = split_name(spec);
        let dests = self.load(ctx)?;
        let at = match dests.iter().position(|d| d.is(name, instance)) {
            Some(at) => at,
            None => {
                let mut dest = match dests.iter().find(|d| d.is(name, None)) {
                    Some(base) if instance.is_some() => base.clone(),
                    _ => Dest::new(name, None),
                };
                dest.instance = instance.map(str::to_string);
                dest.is_default = false;
                dests.push(dest);
                crate::dests::sort_dests(dests);
                dests.iter().position(|d| d.is(name, instance)).unwrap_or_default()
            }
        };
        self.current = Some(at);
        self.seed();
        Ok(())
    }

    /// `-d`: the destination, which must exist, becomes the default (saved at once).
    pub fn set_default(&mut self, ctx: &mut Ctx, spec: &str) -> Result<(), CliError> {
        let (name, instance) = split_name(spec);
        let dests = self.load(ctx)?;
        let Some(at) = dests.iter().position(|d| d.is(name, instance)) else {
            return Err(CliError::Msg("Unknown printer or class.".into()));
        };
        dests.iter_mut().enumerate().for_each(|(i, d)| d.is_default = i == at);
        self.current = Some(at);
        self.save()?;
        self.seed();
        Ok(())
    }

    /// `-x`: the destination's saved options (and the instance) are forgotten.
    pub fn forget(&mut self, ctx: &mut Ctx, spec: &str) -> Result<(), CliError> {
        let (name, instance) = split_name(spec);
        let dests = self.load(ctx)?;
        dests.retain(|d| !d.is(name, instance));
        self.current = None;
        self.changes = Changes::Done;
        self.save()
    }

    /// `-o` (`remove` false) or `-r` (`remove` true) on the chosen (or default) destination.
    pub fn edit(&mut self, ctx: &mut Ctx, text: &str, remove: bool) -> Result<(), CliError> {
        if self.default_or_first(ctx)?.is_none() {
            return Err(CliError::Msg("No printers.".into()));
        }
        if remove {
            self.options.remove(text);
        } else {
            self.options.parse_onto(text).map_err(|e| CliError::Usage(format!("Error - {e}.")))?;
        }
        self.changes = Changes::Options;
        Ok(())
    }

    fn save(&self) -> Result<(), CliError> {
        let dests = self.dests.as_deref().unwrap_or_default();
        self.files.save(&write_file(dests, &self.server))
    }

    /// The end of the command line: the options saved, or printed (None: nothing to print).
    pub fn finish(&mut self, ctx: &mut Ctx) -> Result<Option<String>, CliError> {
        self.load(ctx)?;
        let Some(at) = self.default_or_first_existing() else { return Ok(None) };
        match self.changes {
            Changes::Options => {
                let options = std::mem::take(&mut self.options);
                if let Some(dest) = self.dests.as_mut().and_then(|d| d.get_mut(at)) {
                    dest.options = options;
                }
                self.save()?;
                Ok(None)
            }
            Changes::None => Ok(self.dest().map(|d| d.options.display())),
            Changes::Done => Ok(None),
        }
    }

    /// The chosen destination, else the default (its options taken on), at the end.
    fn default_or_first_existing(&mut self) -> Option<usize> {
        if self.current.is_none() {
            self.current = self.default_index();
            self.seed();
        }
        self.current
    }
}

fn server_default(ctx: &mut Ctx) -> Result<Option<String>, CliError> {
    let req = ctx.request(quire_ipp::Operation::CupsGetDefault, None);
    let resp = ctx.send("/", &req, None)?;
    Ok(resp
        .attr(quire_ipp::DelimiterTag::Printer, "printer-name")
        .and_then(quire_ipp::Attribute::first_str)
        .map(str::to_string))
}

pub fn run(ctx: &mut Ctx, args: &[String]) -> Result<i32, CliError> {
    let toks = tokenize(args, arg_kind)?;
    if toks.contains(&Tok::Help) {
        out!("{USAGE}");
        return Ok(1);
    }
    let mut st = State::new(Files::from_env());
    for tok in toks {
        let (c, v) = match tok {
            Tok::Opt(c, v) => (c, v.unwrap_or_default()),
            Tok::Operand(a) => return Err(CliError::Usage(format!("Unknown argument \"{a}\"."))),
            Tok::Help => continue,
        };
        match c {
            'E' => ctx.request_encryption(),
            'h' => ctx.set_server(&v)?,
            'U' => ctx.set_user(&v),
            'd' => st.set_default(ctx, &v)?,
            'p' => st.choose(ctx, &v)?,
            'o' => st.edit(ctx, &v, false)?,
            'r' => st.edit(ctx, &v, true)?,
            'x' => st.forget(ctx, &v)?,
            'l' => {
                match st.default_or_first(ctx)?.and_then(|_| st.dest().cloned()) {
                    Some(dest) => crate::ppd_options::list(ctx, &dest),
                    None => eprintln!("lpoptions: No printers."),
                }
                st.changes = Changes::Done;
            }
            _ => return Err(CliError::Usage(format!("Error - unknown option \"{c}\"."))),
        }
    }
    if let Some(line) = st.finish(ctx)? {
        out!("{line}");
    }
    Ok(0)
}

#[cfg(test)]
#[path = "lpoptions_tests.rs"]
mod tests;
