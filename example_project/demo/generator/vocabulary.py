"""Word lists the generator composes names, titles, descriptions and reviews from.

Plain data, no downloads: every generated string is built from these tuples, so the
same seed always gives the same words.
"""

FIRST_NAMES = tuple(
    """
    Amelia Oliver Isla George Ava Noah Mia Arthur Ivy Leo Freya Oscar Lily Harry Florence
    Jack Grace Muhammad Sophia Theo Evie Charlie Poppy Henry Rosie Thomas Ella Alfie Willow
    Jacob Aisha Finley Zara Archie Maya Joshua Priya Samuel Chloe William Hannah Daniel
    Niamh Ethan Ruby Lucas Imogen Adam Erin Joseph Sienna Rohan Phoebe Kai Layla Edward
    Matilda Reuben Eleanor Tomasz Agnieszka Chidi Amara Mateo Lucia Hamza Fatima Callum
    Eilidh Rhys Seren Dylan Megan Ciaran Orla Yusuf Mei Arjun Ananya Kofi Abena
    """.split()
)
LAST_NAMES = tuple(
    """
    Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans
    Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips
    Mason Mitchell Rose Davis Rodriguez Cox Alexander Morgan Moore Hughes Edwards Hill
    Turner Cooper Ward Morris King Harris Baker Martin Campbell Kelly Murphy Singh Begum Ali
    Nowak Kowalski Okafor Mensah Chen Wang Nguyen Garcia Rossi MacDonald Fraser Reid Stewart
    Owen Price Griffiths Lloyd O'Brien Byrne Sharma Gupta Ahmed Hussain Fischer Dubois
    """.split()
)
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")

USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36",
)
BOT_USER_AGENTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
)

# Description building blocks shared by every department.
OPENERS = (
    "Designed for everyday use, this {item} earns its place.",
    "A {adj} {item} that does exactly what it should.",
    "Our customers' favourite {item}, now in a new edition.",
    "Thoughtfully made and built to last: meet the {title}.",
    "The {title} brings a little quality to every day.",
)
CLOSERS = (
    "Free returns within 30 days.",
    "Dispatched within one working day.",
    "Backed by our no-quibble guarantee.",
    "A great gift, too.",
    "Pairs well with the rest of the range.",
)

# Review text by score (index 1..5).
REVIEW_TITLES = {
    1: ("Very disappointed", "Would not buy again", "Not as described"),
    2: ("Not great", "Expected more", "Below average"),
    3: ("It's okay", "Does the job", "Average"),
    4: ("Very good", "Happy with it", "Good value"),
    5: ("Excellent!", "Absolutely love it", "Perfect, highly recommended"),
}
REVIEW_BODIES = {
    1: "The {item} arrived and I was let down straight away. Returned it.",
    2: "The {item} is fine on paper but the quality is not what I hoped for.",
    3: "A decent {item} for the price, nothing special.",
    4: "Really pleased with this {item}. Would recommend.",
    5: "Brilliant {item}, exactly what I wanted. Fast delivery as well.",
}

SEARCH_MODIFIERS = {
    "plain": ("{item}", "{item}", "{word} {item}", "{word}"),
    "bargain": ("cheap {item}", "{item} sale", "{item} offer", "discount {item}", "{item}"),
    "premium": ("best {item}", "premium {item}", "{word} {item}", "{word}"),
}
