//! Start-up only: parse the command line and hand over to `tongbu::cli`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tongbu::cli::main().await
}
