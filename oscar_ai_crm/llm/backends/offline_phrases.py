"""The offline backend's wording: fixed phrases per language, tone and slot.

Placeholders in braces are filled with values from the request's facts. No phrase holds a
digit, so every number in an offline draft comes from the facts (a test enforces it). A new
language is one more key in each table; a new tone one more entry per language.
"""

from __future__ import annotations

Phrases = dict[str, tuple[str, ...]]

# Description phrases: language -> tone -> slot -> variants. No digits anywhere.
DESCRIPTION: dict[str, dict[str, Phrases]] = {
    "en": {
        "professional": {
            "open": (
                "{title} is {a_cls} from our {category} range.",
                "Introducing {title}, {a_cls} from our {category} range.",
            ),
            "open_bare": ("{title} is {a_cls} made for dependable everyday use.",),
            "attrs": ("Key specifications: {attrs}.",),
            "price": ("It is available for {price}.", "Price: {price}."),
            "keywords": ("A sound choice for anyone looking for {keywords}.",),
            "extra": (
                "Every detail has been considered with practical use in mind.",
                "It is a reliable addition that will serve you well for a long time.",
            ),
            "close": ("Order today with confidence.", "Add it to your basket today."),
        },
        "friendly": {
            "open": (
                "Meet {title}, {a_cls} from our {category} corner that we think you'll love.",
            ),
            "open_bare": ("Meet {title}, {a_cls} we think you'll love.",),
            "attrs": ("Here's what you get: {attrs}.",),
            "price": ("All this for {price}.",),
            "keywords": ("Perfect if you're after {keywords}.",),
            "extra": (
                "It's easy to live with and makes everyday moments a little nicer.",
                "It makes a lovely gift, too, for someone special or for yourself.",
            ),
            "close": ("Pop it in your basket today!", "We hope it makes you smile!"),
        },
        "luxury": {
            "open": ("Discover {title}, an exquisite {cls} from our {category} collection.",),
            "open_bare": ("Discover {title}, an exquisite {cls} for the discerning.",),
            "attrs": ("Refined in every detail: {attrs}.",),
            "price": ("Yours for {price}.",),
            "keywords": ("An indulgence for those who appreciate {keywords}.",),
            "extra": (
                "Impeccable craftsmanship meets timeless elegance.",
                "It is an experience to be savoured, every single day.",
            ),
            "close": ("Treat yourself to something truly exceptional.",),
        },
        "playful": {
            "open": ("Say hello to {title}, the {cls} that's about to steal the {category} show!",),
            "open_bare": ("Say hello to {title}, the {cls} that's about to steal the show!",),
            "attrs": ("The fun facts: {attrs}.",),
            "price": ("Grab it for {price}.",),
            "keywords": ("Got a thing for {keywords}? Same here!",),
            "extra": (
                "Warning: may cause spontaneous happy dances.",
                "Your friends will want one too, just saying.",
            ),
            "close": ("Go on, you know you want it!",),
        },
    },
    "zh-hans": {
        "professional": {
            "open": (
                "{title}是一款{cls}，属于我们的{category}系列。",
                "隆重推出{title}：{category}系列中的一款{cls}。",
            ),
            "open_bare": ("{title}是一款可靠耐用、适合日常使用的{cls}。",),
            "attrs": ("主要规格：{attrs}。",),
            "price": ("售价：{price}。", "现售 {price}。"),
            "keywords": ("适合正在寻找{keywords}的顾客。",),
            "extra": ("每一处细节都以实用为出发点精心设计。", "它将是您长期信赖的可靠之选。"),
            "close": ("欢迎立即选购。", "现在就加入购物车吧。"),
        },
        "friendly": {
            "open": ("来认识一下{title}吧！这是{category}里一款我们相信你会喜欢的{cls}。",),
            "open_bare": ("来认识一下{title}吧！这是一款我们相信你会喜欢的{cls}。",),
            "attrs": ("它的小特点：{attrs}。",),
            "price": ("只要 {price}，就能带它回家。",),
            "keywords": ("如果你在找{keywords}，它正合适。",),
            "extra": ("用起来轻松顺手，让每一天都多一点好心情。", "送给自己或朋友都很合适。"),
            "close": ("快把它加入购物车吧！",),
        },
        "luxury": {
            "open": ("探索{title}——{category}系列中一款精致非凡的{cls}。",),
            "open_bare": ("探索{title}，一款精致非凡的{cls}。",),
            "attrs": ("每一处细节都经过用心雕琢：{attrs}。",),
            "price": ("尊享价 {price}。",),
            "keywords": ("献给懂得欣赏{keywords}的您。",),
            "extra": ("考究的做工与优雅的气质相得益彰。", "这是一份值得细细品味的奢华体验。"),
            "close": ("犒赏自己，尽享非凡品质。",),
        },
        "playful": {
            "open": ("快来看看{title}！这款{cls}一登场就让{category}区热闹起来啦！",),
            "open_bare": ("快来看看{title}！这款{cls}一登场就抢尽风头！",),
            "attrs": ("冷知识时间：{attrs}。",),
            "price": ("{price} 就能把它带回家，心动吗？",),
            "keywords": ("喜欢{keywords}吗？我们也是！",),
            "extra": ("准备好迎接满满的快乐了吗？", "保证让你忍不住想炫耀一下。"),
            "close": ("心动不如行动！",),
        },
    },
}

# Phrases shared by every tone, per language.
COMMON: dict[str, dict[str, str]] = {
    "en": {
        "product": "product",
        "attr": "{name} {value}",
        "item": "{name}: {value}",
        "and": " and ",
        "comma": ", ",
        "space": " ",
        "yes": "yes",
        "no": "no",
        "reviews": "Customers rate it {average} on average across {count} {reviews}.",
        "review": "review",
        "reviews_plural": "reviews",
        "categories": "You will also find it under {categories}.",
        "description": "From the product notes: {description}",
        "hello": "Hello {name},",
        "hello_bare": "Hello,",
        "shop": "our shop",
    },
    "zh-hans": {
        "product": "商品",
        "attr": "{name}为{value}",
        "item": "{name}：{value}",
        "and": "和",
        "comma": "、",
        "space": "",
        "yes": "是",
        "no": "否",
        "reviews": "已有 {count} 条顾客评价，平均评分 {average}。",
        "review": "",
        "reviews_plural": "",
        "categories": "您也可以在{categories}中找到它。",
        "description": "商品说明：{description}",
        "hello": "{name}，您好！",
        "hello_bare": "您好！",
        "shop": "本店",
    },
}

# Marketing-message phrases: language -> tone -> slot -> text. No digits anywhere.
MESSAGE: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "professional": {
            "subject": "Selected for you: {topic}",
            "banner": "New in {topic}, chosen with you in mind.",
            "intro": "Based on your interest in {interests}, we have selected a few products.",
            "intro_bare": "We have selected a few products we think you will appreciate.",
            "keywords": "Take a look at our {keywords} selection.",
            "offer": "Use the code {offer} at checkout.",
            "close": "We look forward to welcoming you back.",
            "signoff": "Kind regards,\nThe team",
        },
        "friendly": {
            "subject": "We picked some {topic} favourites for you",
            "banner": "Fresh {topic} finds, just for you!",
            "intro": "We know you love {interests}, so we rounded up a few things for you.",
            "intro_bare": "We rounded up a few things we think you'll love.",
            "keywords": "Don't miss our {keywords} picks!",
            "offer": "Here's a little treat: use the code {offer} at checkout.",
            "close": "Happy shopping, and see you soon!",
            "signoff": "Cheers,\nThe team",
        },
        "luxury": {
            "subject": "An exclusive {topic} selection, curated for you",
            "banner": "The art of {topic}, curated for you.",
            "intro": "For a connoisseur of {interests}, we have curated an exclusive selection.",
            "intro_bare": "We have curated an exclusive selection for you.",
            "keywords": "Discover our {keywords} collection.",
            "offer": "As a token of appreciation, the code {offer} awaits you at checkout.",
            "close": "We look forward to welcoming you again.",
            "signoff": "With our compliments,\nThe team",
        },
        "playful": {
            "subject": "Psst… these {topic} finds have your name on them",
            "banner": "Warning: {topic} awesomeness ahead!",
            "intro": "You + {interests} = a match made in heaven. So we went treasure hunting.",
            "intro_bare": "We went treasure hunting, and look what we found!",
            "keywords": "Bonus round: {keywords}!",
            "offer": "Secret code alert: {offer} at checkout. Shh!",
            "close": "Go on, treat yourself!",
            "signoff": "High fives,\nThe team",
        },
    },
    "zh-hans": {
        "professional": {
            "subject": "为您精选：{topic}",
            "banner": "{topic}新品，为您甄选。",
            "intro": "根据您对{interests}的关注，我们为您挑选了以下商品。",
            "intro_bare": "我们为您挑选了几款可能会喜欢的商品。",
            "keywords": "欢迎浏览我们的{keywords}精选。",
            "offer": "结账时使用优惠码 {offer} 即可享受优惠。",
            "close": "期待再次为您服务。",
            "signoff": "此致\n敬礼\n店铺团队",
        },
        "friendly": {
            "subject": "为你挑了几件{topic}好物",
            "banner": "{topic}好物上新，专门为你准备！",
            "intro": "知道你喜欢{interests}，我们特地为你挑了几样好东西。",
            "intro_bare": "我们特地为你挑了几样好东西。",
            "keywords": "别错过我们的{keywords}推荐！",
            "offer": "送你一个小惊喜：结账时输入 {offer}。",
            "close": "祝你购物愉快，下次见！",
            "signoff": "店铺团队",
        },
        "luxury": {
            "subject": "专属{topic}臻选，为您而备",
            "banner": "{topic}的艺术，为您臻选。",
            "intro": "致热爱{interests}的您，我们精心甄选了一系列专属臻品。",
            "intro_bare": "我们为您精心甄选了一系列专属臻品。",
            "keywords": "探索我们的{keywords}系列。",
            "offer": "谨以优惠码 {offer} 聊表谢意，结账时即可使用。",
            "close": "期待再次为您呈献非凡体验。",
            "signoff": "敬上\n店铺团队",
        },
        "playful": {
            "subject": "嘘……这些{topic}好物在等你",
            "banner": "前方高能：{topic}好物来袭！",
            "intro": "你和{interests}简直是天生一对，所以我们去寻宝啦。",
            "intro_bare": "我们去寻宝啦，看看找到了什么！",
            "keywords": "彩蛋时间：{keywords}！",
            "offer": "秘密暗号：结账时输入 {offer}，别告诉别人哦！",
            "close": "还等什么，快去犒劳自己吧！",
            "signoff": "店铺团队",
        },
    },
}
