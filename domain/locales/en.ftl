# The contact portal's words in English.
#
# One file per language, with the same message ids in each: a test fails when an
# id is in one file and not the other. `{ $name }` is filled in by the portal; keep
# it. `[one]` / `*[other]` pick the words for a number (Fluent's plural rules).
# Texts about logging in follow the help article: plain words, one piece of advice
# at a time.

## The language switch

language-name = English
language-unknown = That is not a language the portal speaks.
language-switch = Language
html-description = Read the messages sent to you: log in with a code sent by email or text message.

## Dates, times and durations. Times are in the organisation's time zone.

time-of-day = { $hour }:{ $minute }
date = { $day } { $month } { $year }
date-time = { $date } at { $time }
today-at = today at { $time }
yesterday-at = yesterday at { $time }
tomorrow-at = tomorrow at { $time }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
duration-seconds = { $n ->
    [one] 1 second
   *[other] { $n } seconds
}
duration-minutes = { $n ->
    [one] 1 minute
   *[other] { $n } minutes
}
duration-hours = { $n ->
    [one] 1 hour
   *[other] { $n } hours
}
duration-days = { $n ->
    [one] 1 day
   *[other] { $n } days
}
ago-now = just now
ago = { $duration } ago
in-future = in { $duration }

## Every page

loading = Loading…
logged-in-as = Logged in as
log-out = Log out
something-went-wrong = Something went wrong. Please try again.
failure-reference = Something went wrong on our side (reference { $reference }).
unavailable = The portal cannot reach its database just now. Nothing is lost: please try again in a moment.
unavailable-reference = The portal cannot reach its database just now. Nothing is lost: please try again in a moment (reference { $reference }).
request-not-handled = This request could not be handled.
server-error = Something went wrong on our side.
not-from-portal = This request did not come from the portal's own pages.

## The login page

login-title = Log in
login-identifier = Email or mobile number
login-send-by = Send the code by
channel-email = Email
channel-sms = Text message (SMS)
by-email = by email
by-sms = by text message
send-code = Send code
logged-in-continue = You are logged in.
continue = Continue
code-sent-to = If { $identifier } is registered with the sender and can receive codes { $by }, a 6-digit confirmation code is on its way. It is valid for { $duration }. Asking again sends the same code until it expires.
code-label = Confirmation code
log-in = Log in
remember-note = This browser will remember you after you log in, so next time you won't need a code. A private (incognito) window, clearing cookies, or another device will need a new code.
send-new-code = Send a new code
send-by-email-instead = Send by email instead
send-by-sms-instead = Send by text message instead
use-different = Use a different email or number
did-you-mean = Did you mean { $address }?
use-suggested = Send the code to { $address } instead
login-help-link = Help with logging in
passkey-log-in = Log in with a passkey

## What happened at the last step, told next to the field

notice-code-sent = A code is on its way. Until a code expires, asking again sends the same one, so a code you already have still works.
notice-wrong-code = { $attempts ->
    [one] That code is not right. You have 1 attempt left.
   *[other] That code is not right. You have { $attempts } attempts left.
}
notice-superseded = That is an earlier code of this login: it expired or was used up, and a new code was sent { $by } { $ago } (at { $time }). Use the code from the latest message.
notice-expired = This code has expired: codes are valid for { $duration }. Send a new code and use it within that time.
notice-too-many-attempts = Too many wrong attempts for this code, so it no longer works. Send a new code.
notice-withdrawn = This code no longer works: how you receive codes was changed after it was sent. Send a new code, or contact the sender if you did not expect this.
notice-no-flow = We can't find a login in progress in this browser. This happens when the code was asked for in another browser or device, when a private (incognito) window was closed, or when cookies were deleted or are blocked. Logging in needs cookies: allow cookies for this site, then ask for a new code here.
notice-network-limited = Too many requests from your network. Please wait a while and try again. A VPN or a shared network (office, school, public Wi-Fi) can cause this: turning the VPN off may help.
notice-locked = Too many wrong codes have been entered for this login, so no code works until { $until } ({ $in }). Please wait until then, then ask for a new code. If you did not enter them, contact the sender.
notice-cooldown = { $seconds ->
    [one] Please wait 1 second before asking for another code.
   *[other] Please wait { $seconds } seconds before asking for another code.
}
notice-malformed-code = Enter the 6 digits from the message (spaces are fine).
notice-malformed-identifier = Enter an email address (like name@example.com) or a mobile number (like +45 12 34 56 78).
notice-internal = Something went wrong on our side, or the connection was lost. Please try again.
notice-internal-reference = Something went wrong on our side. Please try again. If it keeps happening, contact the sender and quote reference { $reference }.
notice-reference = If you call for help, give this reference: { $reference }.

## "Didn't get a code?" on the code step

code-help-summary = Didn't get a code?
code-help-spam = Email: check your spam or junk folder, and that messages from the sender are allowed and not blocked.
code-help-signal = Text message: check that your phone has signal or a network connection.
code-help-other-channel = Try the other channel: email or text message.
code-help-registered = Use the email address or mobile number the sender has registered for you. A code is only sent to a registered address.
code-help-opted-out = If you have opted out of communication from the sender, you will not get codes: contact the sender.
code-help-newest = Use the code from the latest message. Asking again sends the same code until it expires; only then does a new code replace it.
code-help-more = More help with logging in

## The help page

help-title = Help with logging in
help-intro = You log in with a one-time confirmation code that we send by email or text message (SMS). After that, this browser remembers you, so you don't need a code every time.
help-no-code = I didn't get a code
help-no-code-registered = Use the email address or mobile number that the sender has registered for you. We only send codes to registered addresses, and we can't tell you whether an address is registered.
help-no-code-opted-out = If you have opted out of communication from the sender, you will not get codes. Contact the sender to opt in again.
help-no-code-both = Try both options: email and text message.
help-no-code-spam = Email: look in your spam or junk folder, and make sure messages from the sender are allowed.
help-no-code-signal = Text message: make sure your phone has signal or a working network connection.
help-often = I need a new code often
help-often-private = Private or incognito windows don't keep cookies, so the portal can't remember you when you come back.
help-often-cookies = Automatic cookie deletion (in the browser or a cleaning app) makes the portal forget you too.
help-often-device = A new device or another browser has no cookie yet: log in there once with a new code.
help-often-passkey = Once you are logged in, you can save a passkey on your device: it stays when cookies are cleared, so you can log in without a code.
help-cannot = I got a code, but I still can't log in
help-cannot-newest = Use the code from the latest message. Asking again sends the same code until it expires (or is used or locked by wrong attempts); only then does a new code replace the old one.
help-cannot-same-browser = Use the code in the same browser where you asked for it.
help-cannot-limits = A code is valid for a limited time and for a few attempts; after that, ask for a new one.
help-cannot-vpn = A VPN or a shared network (office, school, public Wi-Fi) can hit our limits on requests. Try again later, or without the VPN.
help-cannot-not-published = If you can log in but a message says it has not been published to you, that is not a login problem: the sender has not sent that message to you. Contact the sender.
help-back = Back to logging in

## The messages

messages-title = Your messages
messages-log-in = Log in to see your messages
messages-none = No messages have been published to you yet.
published = Published { $when }
remembered = You are logged in. This browser will remember you, so next time you won't need a code. A private (incognito) window, clearing cookies, or another device will need a new code.
message-log-in = Log in to read this message
all-messages = ← All messages
not-published-title = Not published to you
not-published-heading = This message has not been published to you
not-published-why = You are logged in, but this message was not sent to you. This is not a login problem: logging in again as the same person will not change it.
not-published-what-to-do = If you think it should have been sent to you, contact the sender. If someone else uses this browser and the message is for them, they can log in instead.
log-in-as-someone-else = Log in as someone else
go-to-messages = Go to your messages

## Passkeys

passkey-offer-title = Log in without a code next time
passkey-offer-reason = { $days ->
    [one] You have needed a new code on 1 day this month, as happens when a browser forgets you (private windows, cleared cookies, another device).
   *[other] You have needed a new code on { $days } days this month, as happens when a browser forgets you (private windows, cleared cookies, another device).
}
passkey-offer-what = Save a passkey on this device. It stays when cookies are cleared and works in private windows; your phone or password manager keeps it.
passkey-save = Save a passkey
passkey-not-now = Not now
passkeys-title = Your passkeys
passkey-made-on = Made on { $browser } { $when }
passkey-synced = , synced to your other devices
passkey-last-used = last used { $when }
passkey-not-used = not used yet
passkey-remove = Remove
browser-on-platform = { $browser } on { $platform }
unknown-browser = an unknown browser
passkey-failed = The passkey did not work. You can log in with a code instead.
passkey-exists = This device has a passkey for you already.
passkey-saved = Passkey saved. Next time, log in with it: no code needed.
passkey-lost = The connection was lost. Please try again, or log in with a code.
passkey-unreadable = That was not a passkey the portal can read.
passkey-log-in-first = Log in with a code first; then you can save a passkey.
passkey-too-many = Too many tries from your network. Please wait a while, or log in with a code.
passkey-went-wrong = Something went wrong (reference { $reference }). You can log in with a code.
passkey-not-fresh = To save a passkey, log in with a code first (then you have 10 minutes).
passkey-no-ceremony = This passkey request has expired or was already used. Please try again.
passkey-limit-reached = You have { $max } passkeys saved here already. Remove one below to save another.
passkey-refused = That passkey did not work here; log in with a code instead.

## The page that is not there

not-found-title = Page not found
not-found-text = There is nothing at this address.

## The code message (email and text message)

email-subject = Your login code for { $organisation }
email-subject-with-code = { $code } is your login code for { $organisation }
email-asked-from = It was asked for from { $browser } on { $system }.
email-same-code = This is the same code as in our message of { $first }: it was sent again because it was asked for again.
email-first-line = { $code } is your login code for { $organisation }.
email-within = Type it on the login page within { $duration }. It was requested on { $requested } and works until { $expires }.
email-newest = Asking again sends this same code until it expires; after that, a new code replaces it.
email-ignore = If you did not ask for this code, you can ignore this message; nobody can log in without it.
sms-full = { $code } is your { $organisation } login code. Valid { $duration }. Asking again sends the same code.
sms-valid = { $code } is your { $organisation } login code. Valid { $duration }.
sms-short = { $code } is your { $organisation } login code.

## A test message an administrator sends from the contact card (no code)

test-subject = Test message from { $organisation }
test-body = This is a test from { $organisation }, sent at { $time }. There is nothing to do: it was sent to check that messages from us reach you.
