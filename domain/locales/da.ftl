# Kontaktportalens tekster på dansk.
#
# Én fil pr. sprog med de samme id'er i hver: en test fejler, hvis et id findes i
# den ene fil og ikke i den anden. `{ $navn }` udfyldes af portalen og skal blive
# stående. `[one]` / `*[other]` vælger ordene efter et tal (Fluents flertalsregler).
# Teksterne om at logge ind følger hjælpeartiklen: almindelige ord, ét råd ad gangen.

## Sprogvalget

language-name = Dansk
language-unknown = Portalen findes ikke på det sprog.
language-switch = Sprog
html-description = Læs de beskeder, du har fået. Log ind med en kode, som du får på e-mail eller sms.

## Datoer, klokkeslæt og varigheder. Klokkeslæt er i organisationens tidszone.

time-of-day = { $hour }.{ $minute }
date = { $day }. { $month } { $year }
date-time = { $date } kl. { $time }
today-at = i dag kl. { $time }
yesterday-at = i går kl. { $time }
tomorrow-at = i morgen kl. { $time }
month-1 = januar
month-2 = februar
month-3 = marts
month-4 = april
month-5 = maj
month-6 = juni
month-7 = juli
month-8 = august
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december
duration-seconds = { $n ->
    [one] 1 sekund
   *[other] { $n } sekunder
}
duration-minutes = { $n ->
    [one] 1 minut
   *[other] { $n } minutter
}
duration-hours = { $n ->
    [one] 1 time
   *[other] { $n } timer
}
duration-days = { $n ->
    [one] 1 dag
   *[other] { $n } dage
}
ago-now = for et øjeblik siden
ago = for { $duration } siden
in-future = om { $duration }

## Alle sider

loading = Henter …
logged-in-as = Logget ind som
log-out = Log ud
something-went-wrong = Noget gik galt. Prøv igen.
failure-reference = Noget gik galt hos os (reference { $reference }).
unavailable = Portalen kan ikke få forbindelse til sin database lige nu. Intet er gået tabt. Prøv igen om lidt.
unavailable-reference = Portalen kan ikke få forbindelse til sin database lige nu. Intet er gået tabt. Prøv igen om lidt (reference { $reference }).
request-not-handled = Forespørgslen kunne ikke behandles.
server-error = Noget gik galt hos os.
not-from-portal = Forespørgslen kom ikke fra portalens egne sider.

## Siden, hvor man logger ind

login-title = Log ind
login-identifier = E-mail eller mobilnummer
login-send-by = Send koden som
channel-email = E-mail
channel-sms = Sms
by-email = på e-mail
by-sms = på sms
send-code = Send kode
logged-in-continue = Du er logget ind.
continue = Fortsæt
code-sent-to = Hvis { $identifier } er registreret hos afsenderen og kan modtage koder { $by }, er en bekræftelseskode på 6 cifre på vej. Den gælder i { $duration }. Beder du igen, får du den samme kode, indtil den udløber.
code-label = Bekræftelseskode
log-in = Log ind
remember-note = Når du er logget ind, husker denne browser dig, så du ikke skal bruge en kode næste gang. Du skal bruge en ny kode i et privat vindue (inkognito), på en anden enhed, eller hvis du har slettet dine cookies.
send-new-code = Send en ny kode
send-by-email-instead = Send på e-mail i stedet
send-by-sms-instead = Send på sms i stedet
use-different = Brug en anden e-mail eller et andet nummer
did-you-mean = Mente du { $address }?
use-suggested = Send koden til { $address } i stedet
login-help-link = Hjælp til at logge ind
passkey-log-in = Log ind med en adgangsnøgle

## Hvad der skete ved sidste trin, vist ved feltet

notice-code-sent = En kode er på vej. Indtil en kode udløber, får du den samme, når du beder igen, så en kode, du allerede har, virker stadig.
notice-wrong-code = { $attempts ->
    [one] Koden er forkert. Du har 1 forsøg tilbage.
   *[other] Koden er forkert. Du har { $attempts } forsøg tilbage.
}
notice-superseded = Det er en tidligere kode fra dette login: Den er udløbet eller brugt, og der blev sendt en ny kode { $by } { $ago } (kl. { $time }). Brug koden fra den seneste besked.
notice-expired = Koden er udløbet. En kode gælder i { $duration }. Send en ny kode, og brug den inden for den tid.
notice-too-many-attempts = Der er tastet forkert for mange gange, så koden virker ikke længere. Send en ny kode.
notice-withdrawn = Koden virker ikke længere, fordi der er ændret i, hvordan du får koder, siden koden blev sendt. Send en ny kode, eller kontakt afsenderen, hvis du ikke havde regnet med det.
notice-no-flow = Vi kan ikke se, at du er i gang med at logge ind i denne browser. Det sker, hvis du bad om koden i en anden browser eller på en anden enhed, hvis et privat vindue (inkognito) er blevet lukket, eller hvis cookies er slettet eller blokeret. Du skal tillade cookies for at kunne logge ind. Tillad cookies for denne side, og bed derefter om en ny kode her.
notice-network-limited = Der er kommet for mange forespørgsler fra dit netværk. Vent lidt, og prøv igen. En VPN eller et delt netværk (kontor, skole, offentligt wi-fi) kan være årsagen. Det kan hjælpe at slå din VPN fra.
notice-locked = Der er tastet for mange forkerte koder til dette login, så ingen kode virker før { $until } ({ $in }). Vent til da, og bed så om en ny kode. Hvis det ikke var dig, der tastede dem, så kontakt afsenderen.
notice-cooldown = { $seconds ->
    [one] Vent 1 sekund, før du beder om en ny kode.
   *[other] Vent { $seconds } sekunder, før du beder om en ny kode.
}
notice-malformed-code = Skriv de 6 cifre fra beskeden (mellemrum gør ikke noget).
notice-malformed-identifier = Skriv en e-mailadresse (fx navn@eksempel.dk) eller et mobilnummer (fx +45 12 34 56 78).
notice-internal = Noget gik galt hos os, eller forbindelsen blev afbrudt. Prøv igen.
notice-internal-reference = Noget gik galt hos os. Prøv igen. Hvis det bliver ved, så kontakt afsenderen og oplys reference { $reference }.
notice-reference = Hvis du ringer efter hjælp, så oplys denne reference: { $reference }.

## "Har du ikke fået en kode?" ved trinnet med koden

code-help-summary = Har du ikke fået en kode?
code-help-spam = E-mail: Se efter i mappen med spam eller uønsket post, og tjek, at beskeder fra afsenderen er tilladt og ikke blokeret.
code-help-signal = Sms: Tjek, at din telefon har dækning eller forbindelse til et netværk.
code-help-other-channel = Prøv den anden mulighed: e-mail eller sms.
code-help-registered = Brug den e-mailadresse eller det mobilnummer, afsenderen har registreret for dig. Vi sender kun koder til registrerede adresser.
code-help-opted-out = Hvis du har frameldt dig beskeder fra afsenderen, får du ingen koder. Kontakt afsenderen.
code-help-newest = Brug koden fra den seneste besked. Beder du igen, får du den samme kode, indtil den udløber; først derefter afløses den af en ny.
code-help-more = Mere hjælp til at logge ind

## Hjælpesiden

help-title = Hjælp til at logge ind
help-intro = Du logger ind med en bekræftelseskode, som vi sender på e-mail eller sms, og som kun kan bruges én gang. Derefter husker denne browser dig, så du ikke skal bruge en kode hver gang.
help-no-code = Jeg har ikke fået en kode
help-no-code-registered = Brug den e-mailadresse eller det mobilnummer, som afsenderen har registreret for dig. Vi sender kun koder til registrerede adresser, og vi kan ikke fortælle dig, om en adresse er registreret.
help-no-code-opted-out = Hvis du har frameldt dig beskeder fra afsenderen, får du ingen koder. Kontakt afsenderen for at tilmelde dig igen.
help-no-code-both = Prøv begge muligheder: e-mail og sms.
help-no-code-spam = E-mail: Se efter i mappen med spam eller uønsket post, og sørg for, at beskeder fra afsenderen er tilladt.
help-no-code-signal = Sms: Sørg for, at din telefon har dækning eller en netværksforbindelse, der virker.
help-often = Jeg skal ofte bruge en ny kode
help-often-private = Private vinduer (inkognito) gemmer ikke cookies, så portalen kan ikke huske dig, når du kommer igen.
help-often-cookies = Hvis cookies slettes automatisk (af browseren eller et oprydningsprogram), glemmer portalen dig også.
help-often-device = En ny enhed eller en anden browser har endnu ingen cookie. Log ind der én gang med en ny kode.
help-often-passkey = Når du er logget ind, kan du gemme en adgangsnøgle på din enhed. Den forsvinder ikke, når du sletter cookies, så du kan logge ind uden kode.
help-cannot = Jeg har fået en kode, men kan stadig ikke logge ind
help-cannot-newest = Brug koden fra den seneste besked. Beder du igen, får du den samme kode, indtil den udløber (eller er brugt eller spærret af forkerte forsøg); først derefter afløses den gamle af en ny.
help-cannot-same-browser = Brug koden i den samme browser, som du bad om den i.
help-cannot-limits = En kode gælder kun i en begrænset tid og til nogle få forsøg; derefter skal du bede om en ny.
help-cannot-vpn = En VPN eller et delt netværk (kontor, skole, offentligt wi-fi) kan gøre, at vores grænse for antal forespørgsler bliver nået. Prøv igen senere eller uden VPN.
help-cannot-not-published = Hvis du kan logge ind, men der står, at en besked ikke er sendt til dig, er det ikke et problem med at logge ind. Afsenderen har ikke sendt den besked til dig. Kontakt afsenderen.
help-back = Tilbage til at logge ind

## Beskederne

messages-title = Dine beskeder
messages-log-in = Log ind for at se dine beskeder
messages-none = Du har ikke fået nogen beskeder endnu.
published = Sendt { $when }
remembered = Du er logget ind. Denne browser husker dig, så du ikke skal bruge en kode næste gang. Du skal bruge en ny kode i et privat vindue (inkognito), på en anden enhed, eller hvis du har slettet dine cookies.
message-log-in = Log ind for at læse beskeden
all-messages = ← Alle beskeder
not-published-title = Ikke sendt til dig
not-published-heading = Denne besked er ikke sendt til dig
not-published-why = Du er logget ind, men beskeden blev ikke sendt til dig. Det er ikke et problem med at logge ind. Det hjælper ikke at logge ind igen som den samme person.
not-published-what-to-do = Hvis du mener, at den skulle være sendt til dig, så kontakt afsenderen. Hvis beskeden er til en anden, der bruger denne browser, kan vedkommende logge ind i stedet.
log-in-as-someone-else = Log ind som en anden
go-to-messages = Gå til dine beskeder

## Adgangsnøgler (passkeys)

passkey-offer-title = Log ind uden kode næste gang
passkey-offer-reason = { $days ->
    [one] Du har skullet bruge en ny kode på én dag i denne måned. Det sker, når en browser glemmer dig (private vinduer, slettede cookies, en anden enhed).
   *[other] Du har skullet bruge en ny kode på { $days } forskellige dage i denne måned. Det sker, når en browser glemmer dig (private vinduer, slettede cookies, en anden enhed).
}
passkey-offer-what = Gem en adgangsnøgle (passkey) på denne enhed. Den forsvinder ikke, når du sletter cookies, og den virker også i private vinduer. Den gemmes på din telefon eller i din adgangskodeadministrator.
passkey-save = Gem en adgangsnøgle
passkey-not-now = Ikke nu
passkeys-title = Dine adgangsnøgler
passkey-made-on = Oprettet i { $browser } { $when }
passkey-synced = , synkroniseret med dine andre enheder
passkey-last-used = sidst brugt { $when }
passkey-not-used = ikke brugt endnu
passkey-remove = Fjern
browser-on-platform = { $browser } på { $platform }
unknown-browser = en ukendt browser
passkey-failed = Adgangsnøglen virkede ikke. Du kan logge ind med en kode i stedet.
passkey-exists = Du har allerede en adgangsnøgle på denne enhed.
passkey-saved = Adgangsnøglen er gemt. Næste gang kan du logge ind med den uden kode.
passkey-lost = Forbindelsen blev afbrudt. Prøv igen, eller log ind med en kode.
passkey-unreadable = Det var ikke en adgangsnøgle, portalen kan læse.
passkey-log-in-first = Log først ind med en kode; så kan du gemme en adgangsnøgle.
passkey-too-many = For mange forsøg fra dit netværk. Vent lidt, eller log ind med en kode.
passkey-went-wrong = Noget gik galt (reference { $reference }). Du kan logge ind med en kode.
passkey-not-fresh = For at gemme en adgangsnøgle skal du først logge ind med en kode (så har du 10 minutter).
passkey-no-ceremony = Anmodningen om adgangsnøglen er udløbet eller allerede brugt. Prøv igen.
passkey-limit-reached = Du har allerede gemt { $max } adgangsnøgler her. Fjern en nedenfor for at gemme en ny.
passkey-refused = Adgangsnøglen virkede ikke her; log ind med en kode i stedet.

## Siden, der ikke findes

not-found-title = Siden findes ikke
not-found-text = Der er ikke noget på denne adresse.

## Beskeden med koden (e-mail og sms)

email-subject = Din kode til at logge ind hos { $organisation }
email-subject-with-code = { $code } er din kode til at logge ind hos { $organisation }
email-asked-from = Den blev bestilt fra { $browser } på { $system }.
email-same-code = Det er den samme kode som i vores besked fra { $first }: Den blev sendt igen, fordi der blev bedt om den igen.
email-first-line = { $code } er din kode til at logge ind hos { $organisation }.
email-within = Skriv den på siden, hvor du logger ind, inden for { $duration }. Koden blev bestilt { $requested } og virker indtil { $expires }.
email-newest = Beder du igen, får du den samme kode, indtil den udløber; derefter afløses den af en ny.
email-ignore = Hvis du ikke har bedt om koden, kan du se bort fra beskeden. Ingen kan logge ind uden koden.
sms-full = { $code } er din kode til { $organisation }. Gælder i { $duration }. Beder du igen, får du samme kode.
sms-valid = { $code } er din kode til { $organisation }. Gælder i { $duration }.
sms-short = { $code } er din kode til { $organisation }.

## En testbesked, som en administrator sender fra kontaktkortet (uden kode)

test-subject = Testbesked fra { $organisation }
test-body = Dette er en test fra { $organisation }, sendt kl. { $time }. Du skal ikke gøre noget: Den blev sendt for at se, om vores beskeder når frem til dig.
