//! Makes the runtime's linker script (`link.ld`) findable by name.
//!
//! A dependency's build script cannot pass `-T` to its dependents' link, but the search
//! path it adds does reach them; a guest then names the script with `-C link-arg=-Tlink.ld`
//! (its `.cargo/config.toml` does this), and the linker finds it here, by absolute path.

use std::env;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rustc-link-search={}", dir.display());
    println!("cargo:rerun-if-changed=link.ld");
    println!("cargo:rerun-if-changed=build.rs");
}
