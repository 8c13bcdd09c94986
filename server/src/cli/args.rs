//! The command line's words: what `portal` accepts, as clap reads it.

use clap::{Parser, Subcommand, ValueEnum};
use domain::Channel;

#[derive(Parser, Debug)]
#[command(name = "portal", about = "The contact portal: log in with a one-time code and read your messages.")]
pub struct Cli {
    #[command(subcommand)]
    pub(super) command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the web server (the default).
    Serve,
    /// Manage contacts.
    #[command(subcommand)]
    Contact(ContactCommand),
    /// Manage messages.
    #[command(subcommand)]
    Message(MessageCommand),
    /// Manage administrator accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage the integration API's bearer tokens.
    #[command(subcommand, name = "api-token")]
    ApiToken(ApiTokenCommand),
    /// DKIM keys that sign code email.
    #[command(subcommand)]
    Dkim(DkimCommand),
    /// Add the demo contacts and messages.
    Demo,
    /// Delete what is past its retention now (the server also does this every hour).
    Prune,
    /// Why can't this contact log in? The help article's checklist, run on their last 30
    /// days; given a support reference, the attempt it names first.
    Doctor {
        /// The contact's email or phone number, as they would type it, or a support
        /// reference a contact read out (`K7M-4QX`).
        who: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ContactCommand {
    /// Add a contact with an email address, a phone number, or both.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// Channels the contact opted out of (repeatable).
        #[arg(long = "opt-out", value_enum)]
        opt_out: Vec<ChannelArg>,
    },
    /// List all contacts.
    List,
    /// Opt a contact out of a channel.
    OptOut {
        who: String,
        #[arg(long, value_enum)]
        channel: ChannelArg,
    },
    /// Opt a contact back in to a channel.
    OptIn {
        who: String,
        #[arg(long, value_enum)]
        channel: ChannelArg,
    },
    /// Remove a contact; their remembered browsers stop working at once.
    Remove { who: String },
}

#[derive(Subcommand, Debug)]
pub enum MessageCommand {
    /// Add a message (body in Markdown); prints its id.
    Add {
        #[arg(long)]
        title: String,
        #[arg(long)]
        body: String,
    },
    /// Publish a message to a contact.
    Publish {
        message_id: String,
        #[arg(long)]
        to: String,
    },
    /// List all messages.
    List,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Add an administrator; the password is asked twice (or read with --password-stdin).
    Add {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove an administrator.
    Remove { username: String },
    /// List the administrators.
    List,
    /// Give an administrator a new password.
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApiTokenCommand {
    /// Make a token for the platform; it is printed once (only its hash is kept).
    Add { name: String },
    /// List the tokens (names and dates, never the tokens).
    List,
    /// Stop a token from working.
    Revoke { name: String },
}

#[derive(Subcommand, Debug)]
pub enum DkimCommand {
    /// Make a signing key, write it to a file only you can read, and print the DNS
    /// record to publish and the settings to start the portal with.
    Generate {
        /// The domain of MAIL_FROM's address (or a parent of it).
        #[arg(long)]
        domain: String,
        /// The record's name under _domainkey (default: portal and this month, so a
        /// new key gets a new name and the old one can stay published while mail
        /// signed with it is still on its way).
        #[arg(long)]
        selector: Option<String>,
        /// rsa (2048 bits, verified everywhere) or ed25519 (not verified by every receiver yet).
        #[arg(long, default_value = "rsa")]
        algorithm: String,
        /// Where to write the private key; an existing file is never overwritten.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Print the DNS record for the key DKIM_PRIVATE_KEY_FILE, DKIM_SELECTOR and
    /// DKIM_DOMAIN name, to compare with what is published.
    Record,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelArg {
    Email,
    Sms,
}

impl From<ChannelArg> for Channel {
    fn from(c: ChannelArg) -> Channel {
        match c {
            ChannelArg::Email => Channel::Email,
            ChannelArg::Sms => Channel::Sms,
        }
    }
}
