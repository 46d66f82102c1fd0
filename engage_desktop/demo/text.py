"""The words of the demo workspace: a fictional brand, its products and rivals.

All text here is written for engage_desktop. Placeholders are lower-case so that a
template can be folded once and formatted with folded values (see demo.py).
"""

from __future__ import annotations

BRAND = "Nimbus"
BRAND_HANDLE = "nimbushq"
PRODUCTS = ("Nimbus Router X2", "Nimbus Mesh Pro", "Nimbus app")
COMPETITORS = ("Orbit", "Skylink")

# (topic, kind, query): the watch queries of the demo workspace.
WATCH_QUERIES = (
    ("Nimbus", "brand", 'nimbus OR @nimbushq OR "nimbus support"'),
    ("Router X2", "product", '"router x2" OR "nimbus x2"'),
    ("Mesh Pro", "product", '"mesh pro"'),
    ("Nimbus app", "product", '"nimbus app"'),
    ("Orbit", "competitor", 'orbit NOT (orbital OR "in orbit")'),
    ("Skylink", "competitor", "skylink"),
    ("Outage", "other", 'outage OR outages OR "no internet" OR "is down"'),
)

FEATURES = (
    "firmware update",
    "parental controls",
    "guest network",
    "setup wizard",
    "range",
    "5 GHz band",
    "speed test",
    "port forwarding",
    "VPN passthrough",
    "battery backup",
    "QoS settings",
    "night mode",
    "device list",
    "WPA3 option",
    "mesh handoff",
)
CITIES = (
    "Leeds",
    "Lyon",
    "Zürich",
    "Austin",
    "Porto",
    "Kraków",
    "Montréal",
    "Malmö",
    "Denver",
    "São Paulo",
    "Dublin",
    "Utrecht",
    "Tampere",
    "Córdoba",
    "Graz",
)
ISPS = ("FibreWave", "CityNet", "Telvio", "HomeLine", "BlueCable")
DURATIONS = ("two days", "a week", "three hours", "since Monday", "all weekend", "40 minutes")
FIRST_NAMES = (
    "Alex",
    "Sam",
    "Priya",
    "Jonas",
    "Maya",
    "Luis",
    "Hannah",
    "Kenji",
    "Aisha",
    "Tom",
    "Elena",
    "Omar",
    "Chloé",
    "Mateo",
    "Ingrid",
    "Ravi",
    "Zoe",
    "Björn",
    "Nadia",
    "Owen",
    "Lena",
    "Diego",
    "Fatima",
    "Ben",
    "Yuki",
    "Clara",
    "Marco",
    "Sofia",
    "Jack",
    "Amara",
)
LAST_NAMES = (
    "Walsh",
    "Novak",
    "Okafor",
    "Lindqvist",
    "Patel",
    "Moreau",
    "Kowalski",
    "Tanaka",
    "García",
    "Fischer",
    "Byrne",
    "Haddad",
    "Costa",
    "Larsen",
    "Nguyen",
    "Schmidt",
    "Rossi",
    "Murphy",
    "Silva",
    "Berg",
)
AGENTS = ("Dana (Nimbus Support)", "Felix (Nimbus Support)", "Ines (Nimbus Support)")

# {product} {brand} {feature} {city} {isp} {duration} {n} {competitor}
POSITIVE = (
    "Honestly the {product} is the best router I have owned. Whole house covered, zero drops.",
    "Shoutout to @nimbushq support, they fixed my {feature} issue in ten minutes. Great service!",
    "Moved to the {product} last month and my video calls finally stopped freezing :)",
    "The new {feature} on the {product} is really well done. Love it.",
    "Three years with {brand} and not a single outage I could blame on them. Impressed.",
    "Setup took {n} minutes with the {product}. Easiest install ever!!",
    "Big thanks to the {brand} team for the quick replacement, amazing experience.",
    "Switched from {competitor} to {brand} and the difference is night and day. So happy.",
    "{product} review: fast, quiet, and the app is actually pleasant to use. 5 stars.",
    "Kids' tablets on the {feature} schedule, works perfectly. Nice job {brand}.",
    "Our small office runs on the {product} now and nobody complains about wifi anymore.",
    "The {brand} app update is great, the speed test is fun and accurate.",
    "Can confirm the {product} handles {n} devices without breaking a sweat. Excellent.",
    "Really appreciate that {brand} still ships security updates for my old router. Thank you!",
    "Wifi in the garden finally works thanks to the {product}. Best purchase this year 😍",
    "Had doubts, but the {product} is worth every penny. Strong signal upstairs now.",
    "Customer service at {brand} was friendly and helpful, issue sorted on the first call.",
    "I recommend the {product} to everyone in {city} who asks. Solid and reliable.",
)
NEGATIVE = (
    "Third {product} this month and it still drops every evening. Terrible support.",
    "@nimbushq my internet has been down for {duration} and nobody answers. Awful.",
    "The latest {feature} broke my setup. Really disappointed with {brand}.",
    "Waited {n} minutes on hold with {brand} support just to be told to restart it. Useless.",
    "{product} keeps rebooting itself at night. Worst router I have ever bought.",
    "Why does the {brand} app need my location to change the wifi password? Creepy and annoying.",
    "Refund request ignored for {duration}. I am done with {brand}.",
    "My {product} overheats and the 5 GHz band dies. Not happy at all.",
    "The {feature} is a mess. Nothing saves, settings reset after every update. Frustrating!",
    "Cancelled my order. {brand} shipped a broken {product} twice. Terrible quality control.",
    "Going back to {competitor}, at least their router did not lose connection every hour.",
    "Support chat closed my ticket without fixing anything. Horrible experience with {brand}.",
    "Paid premium for the {product} and get worse range than my old ISP box. Ridiculous.",
    "{brand}, your firmware update bricked my router. I want a replacement NOW.",
    "The mesh handoff on the {product} is broken, calls drop when I walk to the kitchen. Sad.",
    "Thinking of cancelling my {brand} subscription, the cloud features keep failing.",
    "Still no fix for the {feature} bug after {duration}. This is unacceptable.",
    "The {product} lost all settings again. I hate this thing.",
)
NEUTRAL = (
    "Does the {product} support {feature}? Could not find it in the manual.",
    "Anyone in {city} using {brand} with {isp}? Which settings do you use?",
    "How do I move my {product} to a new {isp} connection without resetting it?",
    "Comparing the {product} and {competitor}'s latest router for a two-floor flat. Thoughts?",
    "Is there a way to export the device list from the {brand} app?",
    "{brand} announced a firmware update for the {product} today, version 4.{n}.",
    "Setting up a {product} for my parents this weekend. Any tips on the {feature}?",
    "Question for @nimbushq: will the {product} get WPA3 for older clients?",
    "Which is better for gaming, {brand} or {competitor}? Looking at ping, not speed.",
    "The {product} is on sale at the electronics store in {city} this week.",
    "Looking for the {product} user guide PDF, the link on the site is a 404.",
    "Thinking about buying a {product}, how long does the setup usually take?",
    "Unboxing the {product} today. Will post a review after a week of use.",
    "What port does the {brand} app use for remote access? Firewall question.",
)
COMPETITOR = (
    "{competitor} just released a new mesh kit, looks similar to the {product}.",
    "{competitor} support was quick today, replaced my unit in two days. Great.",
    "My {competitor} router keeps dropping the connection. Seriously annoying.",
    "Anyone compared {competitor} and {brand} on range? I am in {city}.",
    "{competitor} raised their prices again. Not impressed.",
    "Loving the {competitor} app redesign, clean and fast.",
    "{competitor} outage in {city} tonight, no internet for {duration}.",
    "Is {competitor} worth it over {brand} for a small office?",
)
OUTAGE = (
    "Is {brand} down? My {product} says no internet since 2pm.",
    "@nimbushq total outage here in {city}, router shows red light. What is going on?",
    "{brand} cloud outage again. Can't log in to the app and the wifi keeps dropping. Terrible.",
    "No internet for {duration} because of the {brand} outage. Working from home is impossible.",
    "Every {product} in our office is offline. Outage or bad update? Angry customers here.",
    "Third outage this year. {brand} please post a status update, we are blind.",
    "The {brand} status page says all fine but my {product} is dead. Outage in {city} too.",
)
FOREIGN = (
    ("de", "Mein {product} verliert seit {n} Tagen ständig die Verbindung. Sehr ärgerlich."),
    ("de", "Der Kundendienst von {brand} war schnell und freundlich. Danke!"),
    ("fr", "Le {product} est vraiment rapide, je suis très content de mon achat."),
    ("fr", "Impossible de joindre le support {brand} depuis {n} jours. Inacceptable."),
    ("es", "¿Alguien sabe cómo configurar el {feature} del {product}?"),
    ("es", "El {product} funciona muy bien en mi casa de dos plantas."),
)
TITLES = {
    "positive": (
        "Six months with the {product}: a happy review",
        "Why I switched to {brand}",
        "{product} review: should have bought it sooner",
        "Great support experience",
    ),
    "negative": (
        "{product} keeps letting me down",
        "Avoid the {product} until they fix it",
        "Terrible experience with {brand} support",
        "Firmware update broke my network",
    ),
    "neutral": (
        "Question about the {product} {feature}",
        "{brand} vs {competitor} for a small flat",
        "Firmware 4.{n} notes for the {product}",
        "Help: {product} with {isp}",
    ),
    "competitor": ("{competitor} mesh kit first look", "{competitor} vs {brand}: range test"),
    "outage": ("{brand} outage megathread", "Is {brand} down for everyone?"),
    "foreign": ("{product}", "{brand}"),
}
REPLIES = {
    "negative": (
        "Hi {first_name}, sorry about the trouble with your {product}. Could you DM us your "
        "order number? We will sort out a replacement today. {agent}",
        "Hi {first_name}, that is not the experience we want for you. A fix for this is in "
        "firmware 4.2; we have sent you the steps by DM. {agent}",
    ),
    "neutral": (
        "Hi {first_name}, good question! Yes, the {product} supports it: Settings > "
        "Advanced. Let us know how it goes. {agent}",
        "Hi {first_name}, thanks for asking. Our setup guide covers this step by step; "
        "we have sent you the link. {agent}",
    ),
    "positive": ("Thank you {first_name}, that made our day! Enjoy the {product}. {agent}",),
    "outage": (
        "Hi {first_name}, we are aware of a service outage affecting some customers and our "
        "engineers are on it. Updates on our status page. Sorry for the disruption. {agent}",
    ),
}
