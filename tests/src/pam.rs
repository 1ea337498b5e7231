//! Private PAM and NSS for a daemon under test, without touching the system: pam_wrapper +
//! pam_matrix give it its own PAM service and passwords, nss_wrapper its own users and groups.
//! Both work by LD_PRELOAD, so they apply only to a child process started with their `env()`
//! (Debian packages libpam-wrapper and libnss-wrapper).

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A PAM service whose `auth` and `account` go through pam_matrix with a passdb of test users.
#[derive(Debug, Clone)]
pub struct PamMatrix {
    dir: PathBuf,
    service: String,
    wrapper: PathBuf,
}

impl PamMatrix {
    /// True when libpam_wrapper.so and pam_matrix.so are installed.
    pub fn available() -> bool {
        pam_libs().is_some()
    }

    /// Writes `<dir>/pam.d/<service>` and `<dir>/passdb` holding `users` as (name, password),
    /// each allowed to use `service`. `dir` is created if needed.
    pub fn new(dir: &Path, service: &str, users: &[(&str, &str)]) -> io::Result<Self> {
        let (wrapper, matrix) = pam_libs().ok_or_else(|| {
            not_found("libpam_wrapper.so / pam_matrix.so (install libpam-wrapper)")
        })?;
        check_field("PAM service", service)?;
        if service.contains('/') {
            return Err(invalid(format!("PAM service {service:?} contains '/'")));
        }
        let mut passdb = String::new();
        for (name, password) in users {
            check_field("user name", name)?;
            check_field("password", password)?;
            passdb.push_str(&format!("{name}:{password}:{service}\n"));
        }
        let pam = PamMatrix { dir: dir.to_path_buf(), service: service.to_string(), wrapper };
        std::fs::create_dir_all(pam.service_dir())?;
        let passdb_path = pam.passdb();
        std::fs::write(&passdb_path, passdb)?;
        let (m, p) = (matrix.display(), passdb_path.display());
        let conf = format!("auth required {m} passdb={p}\naccount required {m} passdb={p}\n");
        std::fs::write(pam.service_dir().join(service), conf)?;
        Ok(pam)
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// What PAM_WRAPPER_SERVICE_DIR points at.
    pub fn service_dir(&self) -> PathBuf {
        self.dir.join("pam.d")
    }

    pub fn passdb(&self) -> PathBuf {
        self.dir.join("passdb")
    }

    /// LD_PRELOAD, PAM_WRAPPER=1 and PAM_WRAPPER_SERVICE_DIR for the child process.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("LD_PRELOAD".into(), self.wrapper.display().to_string()),
            ("PAM_WRAPPER".into(), "1".into()),
            ("PAM_WRAPPER_SERVICE_DIR".into(), self.service_dir().display().to_string()),
        ]
    }
}

/// passwd and group files that nss_wrapper serves instead of the system's.
#[derive(Debug, Clone)]
pub struct NssWrapper {
    dir: PathBuf,
    lib: PathBuf,
}

impl NssWrapper {
    /// True when libnss_wrapper.so is installed.
    pub fn available() -> bool {
        find_lib("libnss_wrapper.so").is_some()
    }

    /// Writes `<dir>/passwd` from `users` as (name, uid, gid) and `<dir>/group` from `groups` as
    /// (name, gid, members). Adds root (uid 0, group 0) and the user running the tests, when
    /// not given, so the daemon and the tools can still resolve themselves.
    pub fn new(
        dir: &Path,
        users: &[(&str, u32, u32)],
        groups: &[(&str, u32, &[&str])],
    ) -> io::Result<Self> {
        let lib = find_lib("libnss_wrapper.so")
            .ok_or_else(|| not_found("libnss_wrapper.so (install libnss-wrapper)"))?;
        let mut all_users: Vec<(String, u32, u32)> =
            users.iter().map(|&(n, u, g)| (n.to_string(), u, g)).collect();
        let mut all_groups: Vec<(String, u32, Vec<String>)> = groups
            .iter()
            .map(|&(n, g, m)| (n.to_string(), g, m.iter().map(|s| s.to_string()).collect()))
            .collect();
        let mut implicit = vec![("root".to_string(), 0, 0)];
        if let Some((uid, gid)) = current_ids().filter(|&(uid, _)| uid != 0) {
            let name = std::env::var("USER").ok().filter(|n| check_field("", n).is_ok());
            implicit.push((name.unwrap_or_else(|| "quire-runner".into()), uid, gid));
        }
        for (name, uid, gid) in implicit {
            if !all_users.iter().any(|u| u.0 == name || u.1 == uid) {
                all_users.push((name.clone(), uid, gid));
            }
            if !all_groups.iter().any(|g| g.1 == gid) {
                all_groups.push((name, gid, Vec::new()));
            }
        }
        let nss = NssWrapper { dir: dir.to_path_buf(), lib };
        std::fs::create_dir_all(dir)?;
        std::fs::write(nss.passwd(), passwd_text(&all_users)?)?;
        std::fs::write(nss.group(), group_text(&all_groups)?)?;
        Ok(nss)
    }

    pub fn passwd(&self) -> PathBuf {
        self.dir.join("passwd")
    }

    pub fn group(&self) -> PathBuf {
        self.dir.join("group")
    }

    /// LD_PRELOAD, NSS_WRAPPER_PASSWD and NSS_WRAPPER_GROUP (nss_wrapper needs both files).
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("LD_PRELOAD".into(), self.lib.display().to_string()),
            ("NSS_WRAPPER_PASSWD".into(), self.passwd().display().to_string()),
            ("NSS_WRAPPER_GROUP".into(), self.group().display().to_string()),
        ]
    }
}

/// Both environments, with both libraries in one LD_PRELOAD (`pam:nss`).
pub fn combined_env(pam: &PamMatrix, nss: &NssWrapper) -> Vec<(String, String)> {
    merge_env(&[pam.env(), nss.env()])
}

/// Concatenates environments; LD_PRELOAD values are joined with ':' into one entry.
fn merge_env(envs: &[Vec<(String, String)>]) -> Vec<(String, String)> {
    let mut preload = Vec::new();
    let mut out = Vec::new();
    for (k, v) in envs.iter().flatten() {
        if k == "LD_PRELOAD" {
            preload.push(v.as_str());
        } else {
            out.push((k.clone(), v.clone()));
        }
    }
    if !preload.is_empty() {
        out.insert(0, ("LD_PRELOAD".into(), preload.join(":")));
    }
    out
}

fn passwd_text(users: &[(String, u32, u32)]) -> io::Result<String> {
    let mut text = String::new();
    for (name, uid, gid) in users {
        check_field("user name", name)?;
        let (home, shell) =
            if *uid == 0 { ("/root", "/bin/sh") } else { ("/nonexistent", "/bin/false") };
        text.push_str(&format!("{name}:x:{uid}:{gid}:{name}:{home}:{shell}\n"));
    }
    Ok(text)
}

fn group_text(groups: &[(String, u32, Vec<String>)]) -> io::Result<String> {
    let mut text = String::new();
    for (name, gid, members) in groups {
        check_field("group name", name)?;
        for m in members {
            check_field("group member", m)?;
            if m.contains(',') {
                return Err(invalid(format!("group member {m:?} contains ','")));
            }
        }
        text.push_str(&format!("{name}:x:{gid}:{}\n", members.join(",")));
    }
    Ok(text)
}

/// A field of a colon-separated file: non-empty, no ':' or line break.
fn check_field(what: &str, value: &str) -> io::Result<()> {
    if value.is_empty() || value.contains([':', '\n', '\r', '\0']) {
        return Err(invalid(format!("{what} {value:?} is empty or contains ':' or a line break")));
    }
    Ok(())
}

/// (uid, gid) of this process, from /proc (no libc in this crate).
fn current_ids() -> Option<(u32, u32)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let real = |key: &str| -> Option<u32> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        line[key.len()..].split_whitespace().next()?.parse().ok()
    };
    Some((real("Uid:")?, real("Gid:")?))
}

/// (libpam_wrapper.so, pam_matrix.so); pam_matrix sits in `pam_wrapper/` beside the library.
fn pam_libs() -> Option<(PathBuf, PathBuf)> {
    let wrapper = find_lib("libpam_wrapper.so")?;
    let matrix = wrapper.parent()?.join("pam_wrapper/pam_matrix.so");
    matrix.is_file().then_some((wrapper, matrix))
}

/// The multiarch and plain library directories, then the dynamic linker's cache.
fn find_lib(file: &str) -> Option<PathBuf> {
    let multiarch = format!("/usr/lib/{}-linux-gnu", std::env::consts::ARCH);
    let dirs = [
        multiarch.as_str(),
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib64",
        "/usr/lib",
    ];
    dirs.iter()
        .map(|d| Path::new(d).join(file))
        .find(|p| p.is_file())
        .or_else(|| ldconfig_lookup(file))
}

/// Parses `ldconfig -p` lines like `\tlibx.so (libc6,x86-64) => /lib/x86_64-linux-gnu/libx.so`.
fn ldconfig_lookup(file: &str) -> Option<PathBuf> {
    let out = Command::new("ldconfig").arg("-p").output().ok()?;
    parse_ldconfig(&String::from_utf8_lossy(&out.stdout), file)
}

fn parse_ldconfig(listing: &str, file: &str) -> Option<PathBuf> {
    listing
        .lines()
        .filter(|l| l.split_whitespace().next() == Some(file))
        .filter_map(|l| l.split_once(" => ").map(|(_, p)| PathBuf::from(p.trim())))
        .find(|p| p.is_file())
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

fn not_found(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, format!("{what} not found"))
}

#[cfg(test)]
#[path = "pam_tests.rs"]
mod tests;
