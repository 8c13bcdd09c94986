//! Administrator accounts from the command line: `portal admin add|remove|list|passwd`.

use std::io::{BufRead, IsTerminal};

use super::password::{self, Password};
use crate::store::{Store, What};
use domain::{InputError, Timestamp};

/// A username: 1 to 64 characters of `a-z 0-9 . _ - @`, stored lowercase.
pub fn parse_username(input: &str) -> Result<String, InputError> {
    let name = input.trim().to_lowercase();
    let ok = (1..=64).contains(&name.chars().count()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
    if ok {
        Ok(name)
    } else {
        Err(InputError::new(format!("{:?} is not a username: use 1 to 64 letters, digits, '.', '_', '-' or '@'", input.trim())))
    }
}

/// The new password: one line from standard input with `--password-stdin`, otherwise
/// asked twice on the terminal without echo.
pub fn read_password(username: &str, from_stdin: bool) -> Result<Password, String> {
    let typed = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("cannot read the password: {e}"))?;
        line.trim_end_matches(['\n', '\r']).to_string()
    } else {
        if !std::io::stdin().is_terminal() {
            return Err("no terminal to ask for the password on: give it on standard input with --password-stdin".into());
        }
        let first = rpassword::prompt_password(format!("Password for {username} (at least {} characters): ", password::MIN_CHARS))
            .map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("The same password again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ; nothing was changed".into());
        }
        first
    };
    Password::parse(&typed, username).map_err(|e| e.to_string())
}

/// Hashes off the async runtime: argon2id takes tens of milliseconds of CPU.
pub async fn hash(password: Password) -> Result<String, String> {
    tokio::task::spawn_blocking(move || password::hash(&password)).await.map_err(|e| e.to_string())?
}

pub async fn add(store: &Store, username: &str, password: Password, now: Timestamp) -> Result<(), String> {
    let hashed = hash(password).await?;
    store.add_admin(username, &hashed, account_event("added", username), now).await.map_err(|e| e.to_string())?;
    Ok(())
}

pub async fn passwd(store: &Store, username: &str, password: Password, now: Timestamp) -> Result<(), String> {
    let hashed = hash(password).await?;
    if !store.set_admin_password(username, &hashed, account_event("password_changed", username), now).await.map_err(|e| e.to_string())? {
        return Err(format!("no administrator {username:?}"));
    }
    Ok(())
}

pub async fn remove(store: &Store, username: &str, now: Timestamp) -> Result<(), String> {
    if !store.remove_admin(username, account_event("removed", username), now).await.map_err(|e| e.to_string())? {
        return Err(format!("no administrator {username:?}"));
    }
    Ok(())
}

/// The event of an account change, written with the change.
fn account_event(action: &str, username: &str) -> crate::store::NewEvent {
    let what = What::AdminAccount { action: action.to_string(), admin: username.to_string(), by: domain::Actor::CommandLine };
    crate::store::NewEvent::new(None, what)
}
