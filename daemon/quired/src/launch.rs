//! Who runs the filters (and the CUPS backends that are not root-only): cups-files.conf's
//! `User` and `Group`, resolved once at start-up and refused, as cupsd refuses them, when
//! they would give a filter root's powers. Filters are quired itself started again with
//! [`WORKER_FLAG`] (see quire_backends::sandbox).

use nix::unistd::{Group, User};
use quire_backends::{Account, CupsConfig, Launch, Worker};
use quire_config::ServerConfig;

/// `argv[1]` that makes quired the filter worker.
pub const WORKER_FLAG: &str = "--filter-worker";

/// cupsd's fallback id when the default `lp` user or group does not exist (NFS "nobody").
const NOBODY: u32 = 65534;

/// How filters and backends are started. As root they run as `User`/`Group`; otherwise as
/// ourselves (we cannot switch users), which is logged here, once.
pub fn launch(c: &ServerConfig) -> Result<Launch, String> {
    let program = std::env::current_exe().map_err(|e| {
        format!("Unable to find quired's own executable, which runs the filters: {e}")
    })?;
    let account = if nix::unistd::geteuid().is_root() {
        let a = account(c)?;
        tracing::info!(
            "Filters run as User {} (uid {}) and Group {} (gid {}).",
            c.user,
            a.uid,
            c.group,
            a.gid
        );
        Some(a)
    } else {
        tracing::warn!(
            "Not running as root: filters run as uid {} like quired itself, not as User {}.",
            nix::unistd::geteuid(),
            c.user
        );
        None
    };
    let worker = Worker { program, args: vec![WORKER_FLAG.into()] };
    Ok(Launch { cups: cups_config(c), account, worker: Some(worker), temp_dir: c.temp_dir.clone() })
}

/// cups-files.conf's directories and names for CUPS backends; `QUIRE_CUPS_*` variables win.
fn cups_config(c: &ServerConfig) -> CupsConfig {
    let defaults = CupsConfig::default();
    CupsConfig {
        server_bin: c.server_bin.clone(),
        server_root: c.server_root.clone(),
        data_dir: c.data_dir.clone(),
        state_dir: c.state_dir.clone(),
        cache_dir: c.cache_dir.clone(),
        request_root: c.request_root.clone(),
        server_admin: c.server_admin.clone().unwrap_or(defaults.server_admin),
        user: c.user.clone(),
        group: Some(c.group.clone()),
        kill_grace: defaults.kill_grace,
    }
    .overridden_by_env()
}

/// `User` and `Group` as ids, as cupsd resolves them: a number or a name; never uid 0; the
/// default `lp` falls back to 65534 where it does not exist; a `Group` that is also a
/// `SystemGroup` is refused (a filter would be an administrator).
fn account(c: &ServerConfig) -> Result<Account, String> {
    let default = ServerConfig::default();
    let uid = match c.user.parse::<u32>() {
        Ok(uid) => uid,
        Err(_) => match User::from_name(&c.user) {
            Ok(Some(u)) => u.uid.as_raw(),
            Ok(None) if c.user == default.user => NOBODY,
            Ok(None) => return Err(format!("Unknown User \"{}\".", c.user)),
            Err(e) => return Err(format!("Unable to look up User \"{}\": {e}", c.user)),
        },
    };
    if uid == 0 {
        return Err(format!("Will not use User {} (UID=0) for security reasons.  You must use a non-privileged account instead.", c.user));
    }
    let gid = match group_id(&c.group)? {
        Some(gid) => gid,
        None if c.group == default.group => NOBODY,
        None => return Err(format!("Unknown Group \"{}\".", c.group)),
    };
    for name in &c.system_group {
        if group_id(name).ok().flatten() == Some(gid) {
            return Err("Group and SystemGroup cannot use the same groups.".into());
        }
    }
    Ok(Account { uid, gid })
}

/// A group given as a number or a name (None: no such group).
pub fn group_id(name: &str) -> Result<Option<u32>, String> {
    if let Ok(gid) = name.parse::<u32>() {
        return Ok(Some(gid));
    }
    Group::from_name(name)
        .map(|g| g.map(|g| g.gid.as_raw()))
        .map_err(|e| format!("Unable to look up Group \"{name}\": {e}"))
}
