"""The demo shop's departments: categories, product classes, attributes, words and prices.

Plain data. A department is a parent category with one Oscar product class; its leaves
are the child categories products are filed under. Title patterns name placeholders
(``{adj}``, ``{material}``, ``{brand}``...) filled from the department's word pools.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AttributeSpec:
    """One product attribute; ``values`` (text) or ``bounds`` (integer/float range)."""

    code: str
    name: str
    type: str = "text"
    values: tuple[str, ...] = ()
    bounds: tuple[float, float] = (0, 0)


@dataclass(frozen=True)
class LeafSpec:
    """A child category: its item nouns, price range (GBP) and share of the catalogue."""

    name: str
    items: tuple[str, ...]
    price: tuple[float, float]
    weight: float = 1.0


@dataclass(frozen=True)
class DepartmentSpec:
    """A parent category with its product class, attributes, words and leaves."""

    key: str
    name: str
    product_class: str
    partner: str
    attributes: tuple[AttributeSpec, ...]
    patterns: tuple[str, ...]
    words: dict[str, tuple[str, ...]]
    leaves: tuple[LeafSpec, ...]
    features: tuple[str, ...] = field(default=())


COLOURS = ("Navy", "Charcoal", "Ivory", "Sage", "Terracotta", "Black", "Ochre", "Teal")
GENERAL = "Demo Supplies Ltd"
TECH = "Northwind Electronics"

DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(
        "clothing",
        "Clothing",
        "Clothing",
        GENERAL,
        attributes=(
            AttributeSpec("size", "Size", values=("XS", "S", "M", "L", "XL")),
            AttributeSpec("colour", "Colour", values=COLOURS),
            AttributeSpec("material", "Material", values=("Linen", "Cotton", "Wool", "Denim")),
        ),
        patterns=("{adj} {material} {item}", "{material} {item}", "{adj} {item}"),
        words={
            "adj": ("Classic", "Relaxed", "Slim", "Heritage", "Everyday", "Oversized"),
            "material": ("Linen", "Cotton", "Merino", "Denim", "Organic Cotton"),
        },
        features=("Machine washable at 30°C.", "Cut for a relaxed fit.", "Ethically made."),
        leaves=(
            LeafSpec("Menswear", ("Shirt", "Chinos", "Jumper", "Jacket", "Polo"), (14, 95), 1.2),
            LeafSpec(
                "Womenswear", ("Dress", "Blouse", "Cardigan", "Skirt", "Coat"), (16, 120), 1.2
            ),
            LeafSpec("Shoes", ("Trainers", "Loafers", "Boots", "Sandals"), (30, 140)),
            LeafSpec("Accessories", ("Scarf", "Belt", "Beanie", "Tote Bag"), (8, 60), 0.8),
        ),
    ),
    DepartmentSpec(
        "electronics",
        "Electronics",
        "Electronics",
        TECH,
        attributes=(
            AttributeSpec("brand", "Brand", values=("Volta", "Sonora", "Lumen", "Kestrel")),
            AttributeSpec("warranty_years", "Warranty (years)", "integer", bounds=(1, 3)),
        ),
        patterns=("{brand} {model} {item}", "{brand} {item} {code}", "{model} {item}"),
        words={
            "brand": ("Volta", "Sonora", "Lumen", "Kestrel", "Arcadia"),
            "model": ("Aria", "Pulse", "Nova", "Halo", "Vertex", "Echo"),
            "code": ("X2", "Pro", "Mini", "S", "Max", "Lite"),
        },
        features=("Two-year battery life in standby.", "USB-C charging.", "Bluetooth 5.3."),
        leaves=(
            LeafSpec(
                "Audio", ("Wireless Headphones", "Earbuds", "Smart Speaker", "Soundbar"), (25, 350)
            ),
            LeafSpec(
                "Computing", ("Laptop", "Monitor", "Mechanical Keyboard", "Webcam"), (35, 1200)
            ),
            LeafSpec(
                "Phones & Tablets", ("Smartphone", "Tablet", "Phone Case", "Charger"), (12, 900)
            ),
            LeafSpec(
                "Cameras", ("Mirrorless Camera", "Action Camera", "Tripod", "Lens"), (40, 1400), 0.7
            ),
        ),
    ),
    DepartmentSpec(
        "books",
        "Books",
        "Book",
        GENERAL,
        attributes=(
            AttributeSpec(
                "author",
                "Author",
                values=("J. Harper", "M. Osei", "L. Chen", "R. Whitfield", "S. Nowak", "A. Rahman"),
            ),
            AttributeSpec("pages", "Pages", "integer", bounds=(96, 640)),
        ),
        patterns=("The {adj} {noun}", "{noun} of {place}", "A {adj} {item}"),
        words={
            "adj": ("Silent", "Last", "Hidden", "Northern", "Forgotten", "Little"),
            "noun": ("Garden", "Lighthouse", "Winter", "Harbour", "Map", "Orchard"),
            "place": ("Glass", "Salt", "Ashes", "the Moor", "Tides", "the Valley"),
        },
        features=("Paperback edition.", "Includes a reading-group guide.", "Signed bookplate."),
        leaves=(
            LeafSpec("Fiction", ("Novel", "Thriller", "Mystery"), (7, 20), 1.3),
            LeafSpec("Non-fiction", ("History", "Memoir", "Field Guide"), (9, 30)),
            LeafSpec("Children's Books", ("Picture Book", "Story Collection"), (5, 15)),
            LeafSpec("Cookery", ("Cookbook", "Baking Book", "Recipe Collection"), (12, 35), 0.8),
        ),
    ),
    DepartmentSpec(
        "home",
        "Home & Garden",
        "Home",
        GENERAL,
        attributes=(
            AttributeSpec("material", "Material", values=("Oak", "Stoneware", "Steel", "Linen")),
            AttributeSpec("colour", "Colour", values=COLOURS),
        ),
        patterns=("{adj} {material} {item}", "{material} {item}", "{adj} {item}"),
        words={
            "adj": ("Nordic", "Rustic", "Modern", "Handmade", "Compact", "Coastal"),
            "material": ("Oak", "Stoneware", "Steel", "Rattan", "Linen", "Cast Iron"),
        },
        features=("Dishwasher safe.", "Sustainably sourced.", "Easy to assemble."),
        leaves=(
            LeafSpec(
                "Kitchen", ("Frying Pan", "Knife Set", "Mixing Bowl", "Coffee Grinder"), (9, 160)
            ),
            LeafSpec("Furniture", ("Side Table", "Bookcase", "Armchair", "Desk"), (60, 850)),
            LeafSpec(
                "Garden", ("Planter", "Hose Reel", "Garden Bench", "Pruning Shears"), (10, 260)
            ),
            LeafSpec("Bedding", ("Duvet Cover", "Pillow Set", "Throw", "Fitted Sheet"), (15, 130)),
        ),
    ),
    DepartmentSpec(
        "beauty",
        "Beauty",
        "Beauty",
        GENERAL,
        attributes=(
            AttributeSpec("volume_ml", "Volume (ml)", "integer", bounds=(30, 500)),
            AttributeSpec("skin_type", "Skin type", values=("All", "Dry", "Oily", "Sensitive")),
        ),
        patterns=("{brand} {adj} {item}", "{adj} {item}", "{brand} {item}"),
        words={
            "brand": ("Bloom & Co", "Aurelle", "Pure Isle", "Verdant"),
            "adj": ("Hydrating", "Gentle", "Radiance", "Botanical", "Overnight"),
        },
        features=("Vegan and cruelty free.", "Dermatologically tested.", "Fragrance free."),
        leaves=(
            LeafSpec("Skincare", ("Moisturiser", "Serum", "Cleanser", "Face Mask"), (6, 60)),
            LeafSpec("Fragrance", ("Eau de Parfum", "Body Mist", "Cologne"), (18, 110), 0.8),
            LeafSpec("Haircare", ("Shampoo", "Conditioner", "Hair Oil"), (5, 38), 0.8),
        ),
    ),
    DepartmentSpec(
        "sports",
        "Sports & Outdoors",
        "Sports",
        TECH,
        attributes=(
            AttributeSpec("brand", "Brand", values=("Summit", "Ridgeline", "Pace", "Tideway")),
            AttributeSpec("weight_kg", "Weight (kg)", "float", bounds=(0.1, 12.0)),
        ),
        patterns=("{brand} {adj} {item}", "{adj} {item}", "{brand} {item}"),
        words={
            "brand": ("Summit", "Ridgeline", "Pace", "Tideway", "Fellrunner"),
            "adj": ("Ultralight", "Trail", "All-Weather", "Performance", "Pro"),
        },
        features=(
            "Tested in the Scottish Highlands.",
            "Lifetime repair service.",
            "Made with recycled materials.",
        ),
        leaves=(
            LeafSpec(
                "Fitness", ("Yoga Mat", "Kettlebell", "Resistance Bands", "Dumbbells"), (8, 220)
            ),
            LeafSpec(
                "Cycling",
                ("Bike Helmet", "Bike Light Set", "Road Bike", "Saddle Bag"),
                (12, 900),
                0.9,
            ),
            LeafSpec("Camping", ("Tent", "Sleeping Bag", "Camping Stove", "Head Torch"), (10, 380)),
        ),
    ),
    DepartmentSpec(
        "toys",
        "Toys & Games",
        "Toys",
        GENERAL,
        attributes=(
            AttributeSpec("age_range", "Age range", values=("3+", "6+", "8+", "12+", "Adult")),
            AttributeSpec("players", "Players", values=("1", "1-4", "2-6", "2+")),
        ),
        patterns=("{adj} {noun} {item}", "{noun} {item}", "The {adj} {item}"),
        words={
            "adj": ("Great", "Secret", "Wild", "Clever", "Midnight"),
            "noun": ("Dragon", "Castle", "Jungle", "Space", "Pirate", "Ocean"),
        },
        features=(
            "Ages indicated on the box.",
            "Ideal for family game night.",
            "Made from FSC-certified card.",
        ),
        leaves=(
            LeafSpec("Board Games", ("Board Game", "Card Game", "Strategy Game"), (10, 60)),
            LeafSpec("Puzzles", ("Jigsaw Puzzle", "Puzzle Cube", "Brain Teaser"), (6, 30), 0.8),
        ),
    ),
)
