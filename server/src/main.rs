//! `portal`: the contact portal's server and its command line.

use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let exit = runtime.block_on(run());
    // Once the command has answered, the process ends: whatever the runtime still
    // holds (a database connection closing, a blocking task) gets a second, not a
    // wait without end. A command that had printed its result and then did not exit
    // for 30 s was seen once in the end-to-end tests.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    exit
}

async fn run() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .with_writer(std::io::stderr)
        .init();
    let command = match server::cli::parse(std::env::args_os()) {
        Ok(command) => command,
        Err(exit) => return exit,
    };
    match server::cli::run(command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
