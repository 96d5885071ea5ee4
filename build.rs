// `sqlx::migrate!()` embeds migrations/<backend>/ at compile time but cannot see new files on its own.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
