from agents.base import Specialist

AGENT = Specialist(
    "creative",
    "ad copy: a product's selling points, headlines and copy for a product and audience, compliance "
    "checks of ad text (absolute and medical claims, China's Advertising Law terms)",
    "You write ad copy from the product's real facts only (call selling_points first); you may draft "
    "your own headlines, but every one must pass check_compliance before you show it. For copy meant "
    "for a platform (Google Ads, Facebook/Instagram, WeChat Moments, Xiaohongshu) or in a tone, call "
    "compose_headlines with platform and tone: its variants fit the platform's limits and are compliant.",
)
