//! Scaffolding a new Rust guest (`crease new`).
//!
//! The guest is a cargo package of its own workspace that depends on `crease-rt` by path,
//! with the build settings of docs/GUESTS.md in `.cargo/config.toml` and a hello-world
//! `src/main.rs`. [`crate::build::build_guest`] builds it.

use std::io;
use std::path::{Component, Path, PathBuf};

const CARGO_TOML: &str = include_str!("../templates/Cargo.toml.tmpl");
const CONFIG_TOML: &str = include_str!("../templates/config.toml.tmpl");
const MAIN_RS: &str = include_str!("../templates/main.rs.tmpl");
const GITIGNORE: &str = include_str!("../templates/gitignore.tmpl");

/// Errors of [`new_guest`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewError {
    /// The name is not a valid package name.
    #[error(
        "invalid guest name {name:?}: use ASCII letters, digits, '-' and '_', starting with a letter"
    )]
    InvalidName {
        /// The name given.
        name: String,
    },
    /// The directory exists and is not empty.
    #[error("{path} already exists and is not empty")]
    Exists {
        /// The directory.
        path: PathBuf,
    },
    /// The crease runtime is not where the checkout should have it.
    #[error(
        "the crease guest runtime is missing at {path}; set CREASE_HOME to the crease checkout"
    )]
    RuntimeMissing {
        /// Where it was expected.
        path: PathBuf,
    },
    /// Creating a file or directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// Creates a Rust guest named `name` in the directory `path` (created if missing; it must be
/// empty if it exists).
///
/// `crease-rt` is referenced by a relative path when `path` lies inside the crease checkout,
/// and by its absolute path otherwise.
pub fn new_guest(path: &Path, name: &str) -> Result<(), NewError> {
    validate_name(name)?;
    let rt = crate::build::runtime_dir();
    let rt = rt
        .canonicalize()
        .map_err(|_| NewError::RuntimeMissing { path: rt.clone() })?;
    if !rt.join("Cargo.toml").is_file() {
        return Err(NewError::RuntimeMissing { path: rt });
    }
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| NewError::Io { path, source }
    };
    if path.exists() {
        let mut entries = std::fs::read_dir(path).map_err(io_err(path))?;
        if entries.next().is_some() {
            return Err(NewError::Exists {
                path: path.to_path_buf(),
            });
        }
    }
    std::fs::create_dir_all(path.join("src")).map_err(io_err(path))?;
    std::fs::create_dir_all(path.join(".cargo")).map_err(io_err(path))?;
    let dir = path.canonicalize().map_err(io_err(path))?;
    let home = crate::build::crease_home().canonicalize().ok();
    let rt_ref = match home {
        Some(home) if dir.starts_with(&home) => relative_path(&dir, &rt),
        _ => rt.clone(),
    };
    let rt_ref = rt_ref.display().to_string().replace('\\', "/");
    let files = [
        (
            "Cargo.toml",
            CARGO_TOML
                .replace("{{name}}", name)
                .replace("{{crease_rt}}", &rt_ref),
        ),
        (".cargo/config.toml", CONFIG_TOML.to_string()),
        ("src/main.rs", MAIN_RS.replace("{{name}}", name)),
        (".gitignore", GITIGNORE.to_string()),
    ];
    for (file, text) in files {
        let file = path.join(file);
        std::fs::write(&file, text).map_err(io_err(&file))?;
    }
    Ok(())
}

fn validate_name(name: &str) -> Result<(), NewError> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.len() <= 64;
    if ok {
        Ok(())
    } else {
        Err(NewError::InvalidName {
            name: name.to_string(),
        })
    }
}

/// The path of `to` relative to the directory `from` (both absolute and canonical).
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut rel = PathBuf::new();
    for _ in common..from.len() {
        rel.push("..");
    }
    for part in &to[common..] {
        rel.push(part);
    }
    rel
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_validated() {
        assert!(validate_name("hello").is_ok());
        assert!(validate_name("my-guest_2").is_ok());
        for bad in ["", "2x", "a b", "a/b", "é"] {
            assert!(matches!(
                validate_name(bad),
                Err(NewError::InvalidName { .. })
            ));
        }
    }

    #[test]
    fn relative_paths_climb_then_descend() {
        let rel = relative_path(Path::new("/a/b/c"), Path::new("/a/x/y"));
        assert_eq!(rel, Path::new("../../x/y"));
    }

    #[test]
    fn scaffold_refuses_a_non_empty_directory() {
        let dir = std::env::temp_dir().join(format!("crease-new-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("x"), "").unwrap();
        assert!(matches!(new_guest(&dir, "g"), Err(NewError::Exists { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
