"""All tunable knobs of the demo shop in one place.

Everything here is copied into the manifest, so the dbt side can check its
findings against the exact parameters the data was generated with.

Realism targets (tests/python/test_demo_shop.py checks them on the generated files; clean
sale lines, no returns). Measured on real shops with DuckDB: Online Retail (UCI, merchandise
lines of non-cancelled invoices), Olist (order items) and the marketing case study (B2C):

| figure                              | target     | Online Retail | Olist  | case study | demo, 5,000 customers, seed 42 |
|-------------------------------------|------------|---------------|--------|------------|------|
| top product's share of revenue      | <= 6 %     | 1.7 %         | 0.5 %  | 15 %       | 4.2 % |
| top product's share of order lines  | <= 3 %     | 0.4 %         | 0.5 %  | 6.6 %      | 2.3 % |
| top 10 % of products' revenue       | 45-70 %    | 62 %          | 61 %   | 87 %       | 56 % |
| median / mean lines per order       | 1-2 / 1.5-3.5 | 15 / 26    | 1 / 1.04 | 1 / 2.1  | 2 / 2.9 |
| single-line orders                  | 25-60 %    | 8 %           | 97 %   | 58 %       | 29 % |
| unit price p10 / p90, x the median  | 0.2-0.5 / 2-4.5 | 0.31 / 3.7 | 0.32 / 3.1 | 0.16 / 8.8 | 0.39 / 3.0 |

The top product's bound is looser than Online Retail's figure: the catalogue has 400 products,
a tenth of Online Retail's, and across seeds the top one earns 3.5-6 % (often a planted bundle
member, which the bundle add-ons lift). Online Retail's baskets are a wholesaler's and set no
target; the basket band is the B2C case study's, widened for the planted loyal high-value
customers' big baskets (4 lines on average; smaller ones blur the value classes that the CLV
classifier of tests/python/test_predictions.py must predict better than "same as last period").
Before issue 16 one product was in 30 % of all lines and earned 38 % of revenue (Zipf exponent 1.1
with no offset, and an unbounded taste for dear items that made one 8x-median-priced product every
loyal customer's favourite).
"""  # noqa: E501 (the table's rows stay whole)

# --- geography: (country, share of customers, [(city, relative weight), ...]) ---
# City names are ASCII and unique across countries, so city -> country is a function.
COUNTRIES = [
    ("Netherlands", 0.50, [("Amsterdam", 30), ("Rotterdam", 20), ("Utrecht", 14),
                           ("The Hague", 14), ("Eindhoven", 10), ("Groningen", 7)]),
    ("Germany", 0.12, [("Berlin", 30), ("Hamburg", 20), ("Munich", 18), ("Cologne", 14),
                       ("Frankfurt", 12)]),
    ("Belgium", 0.08, [("Brussels", 35), ("Antwerp", 30), ("Ghent", 20), ("Bruges", 10)]),
    ("France", 0.07, [("Paris", 45), ("Lyon", 20), ("Marseille", 20), ("Lille", 15)]),
    ("United Kingdom", 0.05, [("London", 50), ("Manchester", 20), ("Birmingham", 18),
                              ("Leeds", 12)]),
    ("Spain", 0.04, [("Madrid", 40), ("Barcelona", 35), ("Valencia", 15), ("Seville", 10)]),
    ("Italy", 0.04, [("Rome", 35), ("Milan", 35), ("Turin", 15), ("Naples", 15)]),
    ("Sweden", 0.03, [("Stockholm", 55), ("Gothenburg", 30), ("Uppsala", 15)]),
    ("Denmark", 0.025, [("Copenhagen", 60), ("Aarhus", 25), ("Odense", 15)]),
    ("Austria", 0.02, [("Vienna", 65), ("Graz", 20), ("Salzburg", 15)]),
    ("Poland", 0.015, [("Warsaw", 50), ("Krakow", 30), ("Gdansk", 20)]),
    ("Ireland", 0.01, [("Dublin", 65), ("Cork", 20), ("Galway", 15)]),
]
GENDERS = [("female", 0.52), ("male", 0.45), ("other", 0.03)]

# --- catalogue: category -> (tax rate, median list price, item nouns) ---
CATEGORIES = {
    "Kitchen": (0.21, 18.0, ["Mug", "Bowl", "Cutting Board", "Chef Knife", "Teapot", "Colander",
                             "Frying Pan", "Spatula"]),
    "Home Decor": (0.21, 35.0, ["Vase", "Cushion", "Candle", "Picture Frame", "Throw Blanket",
                                "Wall Clock", "Table Lamp", "Mirror"]),
    "Apparel": (0.21, 30.0, ["T-Shirt", "Hoodie", "Scarf", "Beanie", "Socks", "Sweater",
                             "Rain Jacket", "Cap"]),
    "Electronics": (0.21, 80.0, ["Headphones", "Speaker", "Power Bank", "Charger", "Smart Plug",
                                 "Keyboard", "Webcam", "Mouse"]),
    "Beauty": (0.21, 15.0, ["Face Cream", "Lip Balm", "Shampoo", "Body Lotion", "Soap Bar",
                            "Hand Cream", "Perfume", "Face Mask"]),
    "Sports": (0.21, 40.0, ["Yoga Mat", "Water Bottle", "Dumbbell", "Jump Rope", "Gym Bag",
                            "Running Belt", "Foam Roller", "Resistance Band"]),
    "Toys": (0.09, 22.0, ["Puzzle", "Teddy Bear", "Building Blocks", "Board Game", "Kite",
                          "Toy Car", "Doll", "Card Game"]),
    "Books": (0.09, 14.0, ["Cookbook", "Novel", "Travel Guide", "Notebook", "Comic",
                           "Poetry Book", "Atlas", "Journal"]),
}
PRODUCTS_PER_CATEGORY = 50
PRODUCT_ADJECTIVES = ["Ceramic", "Classic", "Organic", "Deluxe", "Compact", "Vintage", "Nordic",
                      "Eco", "Premium", "Everyday"]
PRODUCT_COLORS = ["Blue", "Red", "Green", "Black", "White", "Grey", "Yellow", "Pink"]
PRICE_SIGMA = 0.45           # lognormal spread of list prices around the category median
# Zipf-Mandelbrot popularity, weight = 1 / (rank + offset)^exponent: the offset flattens the
# head (the top product gets 1.7 % of the weight, the top 40 of 400 products 42 %).
ZIPF_EXPONENT = 1.5
ZIPF_OFFSET = 40
PRICE_ELASTICITY = 1.0       # demand x (price / category median)^-elasticity: cheap items sell more
PRICE_TASTE_CLIP = (0.5, 2.0)  # price / category median is clipped to this in demand and taste
PLANTED_RANKS = (15, 75)     # bundles and viewed-not-bought come from these popularity ranks

# --- customer archetypes ---
# orders_per_year: base purchase rate while active (x daily intensity, mean 1)
# extra_lines: Poisson mean of basket lines beyond the first (capped at MAX_BASE_LINES)
# price_gamma: product weight x (price / category median)^gamma (>0 likes expensive items)
# coupon_prob: chance to use a currently valid coupon on an order
# churn_hazard: base daily probability of becoming inactive (one_off: leaves after 1st order)
# checkout_signup: share of in-range signups who register while placing their first order
# The archetypes are planted segments that K-Means should find in how customers buy
# (frequency, net revenue, order value, coupon share; ecommerce_warehouse/segmentation.py), so
# each has its own buying signature, as a shop's segments do:
# * loyal_high_value: a premium regular: ~20 orders a year of big baskets (4 lines) of
#   expensive items (gamma 2), hardly any coupons; long-lived (base hazard 1/10,000 a day,
#   still raised by late deliveries and bad reviews like everyone's).
# * regular: ~6 orders a year of average baskets at list prices; stays for years (1/3,300).
# * bargain_hunter: buys with a coupon whenever one is valid (90 %) and goes for cheap items.
# * one_off: a single purchase, then gone.
# * churning: a short burst (15 orders a year for ~3 months, hazard 1/90) and gone; in the
#   features it looks like a regular with a short history (recency and tenure are not
#   clustered on), so it is the archetype K-Means recovers least.
ARCHETYPES = {
    "loyal_high_value": dict(share=0.15, orders_per_year=20.0, extra_lines=3.0, price_gamma=2.0,
                             coupon_prob=0.03, churn_hazard=1 / 10000, checkout_signup=0.6),
    "regular": dict(share=0.30, orders_per_year=6.0, extra_lines=0.6, price_gamma=0.0,
                    coupon_prob=0.10, churn_hazard=0.0003, checkout_signup=0.6),
    "bargain_hunter": dict(share=0.20, orders_per_year=4.0, extra_lines=0.4, price_gamma=-1.0,
                           coupon_prob=0.90, churn_hazard=1 / 800, checkout_signup=0.5),
    "one_off": dict(share=0.20, orders_per_year=4.0, extra_lines=0.3, price_gamma=0.0,
                    coupon_prob=0.15, churn_hazard=0.0, checkout_signup=0.8),
    "churning": dict(share=0.15, orders_per_year=15.0, extra_lines=0.5, price_gamma=0.0,
                     coupon_prob=0.10, churn_hazard=0.011, checkout_signup=0.6),
}
# guests behave like "regular" shoppers but never register
GUEST = dict(extra_lines=0.7, price_gamma=0.0, coupon_prob=0.08)
GUEST_ORDER_SHARE = 0.15     # share of all (non-return) orders placed by guests
PRE_START_SHARE = 0.70       # customers who signed up before the range (existing base)
PRE_START_YEARS = 3          # ... uniformly within this many years before start
MAX_BASE_LINES = 6           # before bundle add-ons (which can add up to 2 more lines)
MAX_DAILY_ORDER_PROB = 0.5

# quantity per line: mostly 1-5, rarely a bulk buy of 6-12 (always < 100)
QUANTITY_PROBS = [0.63, 0.21, 0.09, 0.04, 0.03]   # for 1..5
BULK_PROB = 0.01
MARKDOWN_PROB = 0.04         # lines sold at a markdown (unit_price < list_price)
MARKDOWN_FACTOR = 0.8

# --- churn mechanism: multiplicative hazard bumps (cumulative per event) ---
LATE_DELIVERY_HAZARD_FACTOR = 1.8
BAD_REVIEW_HAZARD_FACTOR = 2.5
BAD_RATING_MAX = 2
MAX_DAILY_HAZARD = 0.2

# --- seasonality of the daily order intensity ---
WEEKDAY_FACTORS = [0.95, 0.93, 0.93, 0.95, 1.00, 1.20, 1.20]   # Mon..Sun (weekend +20%)
MONTH_FACTORS = [0.90, 0.85, 0.95, 0.95, 1.00, 0.95, 0.90, 0.90, 1.00, 1.10, 1.30, 1.45]
GROWTH_PER_YEAR = 0.15       # linear trend: x (1 + g * years since start)
HOUR_WEIGHTS = [2, 1, 1, 0.5, 0.5, 1, 2, 4, 5, 6, 6, 6, 7, 6, 6, 6, 6, 7, 8, 10, 11, 10, 7, 4]

# --- marketing: daily spend per channel; intensity x (1 + beta * A_t / mean(A)) ---
CHANNELS = {"search": 0.35, "social": 0.25, "email": 0.05, "display": 0.15, "affiliate": 0.20}
SPEND_PER_CUSTOMER_PER_DAY = 0.07
SPEND_MONTH_FACTORS = [0.85, 0.80, 0.95, 0.95, 1.00, 0.95, 0.85, 0.85, 1.00, 1.10, 1.45, 1.40]
SPEND_NOISE_SIGMA = 0.30     # AR(1) lognormal campaign noise (makes the effect identifiable)
SPEND_NOISE_RHO = 0.85
MARKETING_BETA = 0.6
ADSTOCK_DECAY = 0.6

# --- fulfilment ---
FREE_SHIPPING_THRESHOLD_CENTS = 7500
DELIVERY_CHARGES_CENTS = [499, 599, 699, 799, 999]
DELIVERY_CHARGE_WEIGHTS = [0.35, 0.25, 0.15, 0.15, 0.10]
PROMISED_DAYS = (2, 5)       # inclusive
LATE_PROB = 0.07             # share of deliveries after the promised date
LATE_PROB_PEAK = 0.18        # ... in November and December
NEVER_DELIVERED_PROB = 0.01
REVIEW_PROB = 0.40
RATING_PROBS_ON_TIME = [0.03, 0.05, 0.12, 0.35, 0.45]   # ratings 1..5
RATING_PROBS_LATE = [0.25, 0.25, 0.25, 0.15, 0.10]
RETURN_PROB = 0.032          # of delivered registered-customer orders
RETURN_LINE_PROB = 0.6       # each line of a returned order is returned with this prob

# --- coupons ---
# (code, category or None, pct): evergreen ones valid over the whole range;
# seasonal ones get a year suffix and are valid (month, day)..(month, day) every year.
EVERGREEN_COUPONS = [("WELCOME10", None, 10), ("BOOKWORM15", "Books", 15)]
SEASONAL_COUPONS = [
    ("NEWYEAR", None, 10, (1, 1), (1, 15)),
    ("SPRING", "Home Decor", 15, (3, 15), (4, 15)),
    ("SPORTY", "Sports", 20, (5, 1), (5, 31)),
    ("SUMMER", "Apparel", 20, (6, 15), (7, 31)),
    ("BACK2SCHOOL", "Books", 10, (8, 15), (9, 15)),
    ("COOKUP", "Kitchen", 15, (10, 1), (10, 31)),
    ("BLACKFRIDAY", None, 25, (11, 20), (11, 30)),
    ("XMASTOYS", "Toys", 15, (12, 1), (12, 24)),
    ("GLOW", "Beauty", 20, (12, 1), (12, 31)),
]
RETENTION_COUPON = ("COMEBACK15", None, 15)

# --- planted structure ---
N_BUNDLES = (3, 2)           # pairs, triples
BUNDLE_ADD_PROB = 0.6        # other members added when one member is in the basket
N_VIEWED_NOT_BOUGHT = 5
VNB_PURCHASE_FACTOR = 0.03   # their purchase weight is cut to 3%...
VNB_VIEW_BOOST = 4.0         # ...while they get 4x the views of their popularity

# --- retention experiment ---
RETENTION_MONTHS_AFTER_START = 18
AT_RISK_DAYS = 120           # days since last order at the offer date
RETENTION_WINDOW_DAYS = 90
RETENTION_UPLIFT = 0.08      # absolute uplift of P(order in window)
RETENTION_WINBACK_BASE = 0.04  # P(order in window) of an already churned customer
RETENTION_BASE_CAP = 0.90
RETENTION_COUPON_USE = 0.9   # treated buyers who redeem the offer coupon

# --- web analytics ---
WEB_SESSION_SAMPLE_RATE = 0.10   # the analytics export holds a random sample of sessions
WEB_CONVERSION_RATE = 0.04       # converting sessions / all sessions
WEB_REGISTERED_SHARE = 0.35      # logged-in share of non-converting sessions

# --- dirt (rates; exact counts land in the manifest) ---
DIRT_ORDER_LINES = {"duplicate": 0.01, "non_positive_price": 0.003,
                    "outlier_quantity": 0.0005, "invalid_date": 0.002}
INVALID_DATES = ["N/A", "2024-13-45 10:00:00", "31/02/2024", ""]
DIRT_CUSTOMERS = {"duplicate": 0.005, "messy_text": 0.03}
DIRT_PRODUCTS = {"messy_text": 0.05}
