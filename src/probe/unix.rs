//! Unix sockets: the path exists, is a socket, accepts a connection, and the proxy's worker
//! user may connect to it (write permission on the socket, search permission on its
//! directories).

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::tcp::{Connect, classify};

/// What was observed at a socket path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UnixSocket {
    Missing,
    /// The path exists but is something else ("a regular file", "a directory").
    NotSocket(&'static str),
    /// gwlint itself cannot look at it (the OS's reason).
    Inaccessible(String),
    /// It is a socket; the connect result, and whether the worker user may connect.
    Socket {
        connect: Connect,
        access: Option<Access>,
    },
}

/// Whether the worker user may connect: None when it may, else why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Access {
    pub(crate) user: String,
    /// The path that denies it (the socket, or a directory above it) and the permission missing.
    pub(crate) denied: Option<(PathBuf, &'static str)>,
}

/// A user as the system knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct User {
    pub(crate) name: String,
    pub(crate) uid: u32,
    pub(crate) gids: Vec<u32>,
}

/// Looks a user (and the groups it is in) up in /etc/passwd and /etc/group. `group` is the
/// group nginx's `user` directive names, if any.
pub(crate) fn user(name: &str, group: Option<&str>) -> Option<User> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let groups = std::fs::read_to_string("/etc/group").unwrap_or_default();
    user_from(name, group, &passwd, &groups)
}

fn user_from(name: &str, group: Option<&str>, passwd: &str, groups: &str) -> Option<User> {
    let fields: Vec<&str> = passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() >= 4 && f[0] == name)?;
    let uid = fields[2].parse().ok()?;
    let mut gids: Vec<u32> = Vec::new();
    for line in groups.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() < 4 {
            continue;
        }
        let member = f[3].split(',').any(|m| m == name);
        let named = group.is_some_and(|g| g == f[0]);
        if (member || named)
            && let Ok(gid) = f[2].parse()
        {
            gids.push(gid);
        }
    }
    // With a group named in the directive, the worker runs with that group instead of the
    // user's primary one.
    if group.is_none()
        && let Ok(gid) = fields[3].parse()
    {
        gids.push(gid);
    }
    Some(User {
        name: name.to_string(),
        uid,
        gids,
    })
}

pub(crate) async fn check(path: &str, user: Option<&User>, timeout: Duration) -> UnixSocket {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return UnixSocket::Missing,
        Err(e) => return UnixSocket::Inaccessible(e.to_string()),
    };
    let ft = meta.file_type();
    if !ft.is_socket() {
        return UnixSocket::NotSocket(if ft.is_dir() {
            "a directory"
        } else if ft.is_file() {
            "a regular file"
        } else {
            "not a socket"
        });
    }
    let connect = match tokio::time::timeout(timeout, tokio::net::UnixStream::connect(path)).await {
        Err(_) => Connect::TimedOut,
        Ok(Ok(_)) => Connect::Open,
        Ok(Err(e)) => classify(&e),
    };
    let access = user.map(|u| Access {
        user: u.name.clone(),
        denied: denied(Path::new(path), u),
    });
    UnixSocket::Socket { connect, access }
}

/// The first path that keeps `user` from connecting: a directory it may not search, or the
/// socket it may not write.
fn denied(path: &Path, user: &User) -> Option<(PathBuf, &'static str)> {
    if user.uid == 0 {
        return None;
    }
    let mut dirs: Vec<&Path> = path.ancestors().skip(1).collect();
    dirs.reverse();
    for d in dirs {
        if d.as_os_str().is_empty() {
            continue;
        }
        let m = std::fs::metadata(d).ok()?;
        if !allows(m.uid(), m.gid(), m.mode(), user, 0o1) {
            return Some((d.to_path_buf(), "search (x)"));
        }
    }
    let m = std::fs::metadata(path).ok()?;
    (!allows(m.uid(), m.gid(), m.mode(), user, 0o2)).then(|| (path.to_path_buf(), "write (w)"))
}

/// Does the mode grant `bit` (0o1 x, 0o2 w) to this user? The owner class decides for the
/// owner, the group class for a member, the others class for the rest, as the kernel does.
fn allows(uid: u32, gid: u32, mode: u32, user: &User, bit: u32) -> bool {
    if uid == user.uid {
        mode & (bit << 6) != 0
    } else if user.gids.contains(&gid) {
        mode & (bit << 3) != 0
    } else {
        mode & bit != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n";
    const GROUP: &str = "root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\nphp:x:990:www-data\n";

    #[test]
    fn users_and_groups() {
        let u = user_from("www-data", None, PASSWD, GROUP).unwrap();
        assert_eq!(u.uid, 33);
        assert_eq!(u.gids, vec![990, 33]);
        let n = user_from("nobody", Some("nogroup"), PASSWD, GROUP).unwrap();
        assert_eq!(n.gids, vec![65534]);
        assert!(user_from("nosuch", None, PASSWD, GROUP).is_none());
    }

    #[test]
    fn permission_classes() {
        let u = User {
            name: "w".into(),
            uid: 33,
            gids: vec![990],
        };
        assert!(allows(33, 0, 0o200, &u, 0o2));
        assert!(!allows(33, 990, 0o020, &u, 0o2), "the owner class decides");
        assert!(allows(0, 990, 0o660, &u, 0o2));
        assert!(!allows(0, 0, 0o660, &u, 0o2));
        assert!(allows(0, 0, 0o777, &u, 0o2));
    }
}
