use super::*;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).expect("stat").permissions().mode() & 0o7777
}

#[test]
fn a_private_dir_is_the_childs_inside_one_it_cannot_change() {
    let base = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(base.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let as_root = nix::unistd::geteuid().is_root();
    let stranger = Account { uid: 54_321, gid: 54_321 };
    let dir = PrivateDir::create(base.path(), as_root.then_some(stranger), "t").expect("create");
    let outer = dir.path().parent().expect("outer").to_path_buf();
    assert_eq!((mode(&outer), mode(dir.path())), (0o711, 0o700));
    if as_root {
        assert_eq!(
            std::fs::metadata(dir.path()).expect("stat").uid(),
            stranger.uid,
            "the child owns its directory"
        );
        assert_eq!(std::fs::metadata(&outer).expect("stat").uid(), 0, "we own the one around it");
        // The base is 0700: the stranger cannot reach it, so the system temp dir is used.
        assert!(!outer.starts_with(base.path()), "{outer:?}");
    }
    drop(dir);
    assert!(!outer.exists(), "removed on drop");
}

#[test]
fn shredding_overwrites_files_and_never_follows_links() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, b"keep me").expect("write");
    let inner = dir.path().join("work");
    std::fs::create_dir(&inner).expect("mkdir");
    let secret = inner.join("in-0");
    std::fs::write(&secret, b"plaintext").expect("write");
    let kept = std::fs::File::open(&secret).expect("open");
    std::os::unix::fs::symlink(&victim, inner.join("link")).expect("symlink");
    shred_files(&inner);
    assert!(!secret.exists(), "removed");
    let mut left = Vec::new();
    std::io::Read::read_to_end(&mut &kept, &mut left).expect("read");
    assert!(left.iter().all(|b| *b == 0), "the file was overwritten before its removal: {left:?}");
    assert_eq!(
        std::fs::read(&victim).expect("victim"),
        b"keep me",
        "a link's target is left alone"
    );
}

#[test]
fn reachability_follows_the_search_bits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inner = dir.path().join("a/b");
    fs::create_dir_all(&inner).expect("mkdir");
    let stranger = Account { uid: 54_321, gid: 54_321 };
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).expect("chmod");
    assert!(!reachable_by(&inner, stranger));
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o711)).expect("chmod");
    fs::set_permissions(dir.path().join("a"), fs::Permissions::from_mode(0o755)).expect("chmod");
    // /tmp and the rest of the ancestors are searchable by anyone on a normal system.
    assert!(reachable_by(&inner, stranger));
    assert!(!reachable_by(&dir.path().join("missing"), stranger));
}
