//! A bare axum "Hello, World!" server: the baseline of `scripts/bench.sh`, so the help desk's
//! numbers can be read against what this machine does with no application work at all.
//!
//!     cargo run --release --example hello --features ssr -- 127.0.0.1:3201
//!
//! The address is the first argument, else `HELLO_ADDR`, else 127.0.0.1:3201.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("HELLO_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:3201".to_string());
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("hello: cannot listen on {addr}: {e}");
            std::process::exit(2);
        }
    };
    println!("hello listening on http://{addr}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .expect("server error");
}

#[cfg(not(feature = "ssr"))]
fn main() {
    eprintln!("build with --features ssr");
}
