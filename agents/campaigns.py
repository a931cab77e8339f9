from agents.base import Specialist

AGENT = Specialist(
    "campaigns",
    "campaign planning and measurement: A/B test significance, budget split across channels, "
    "seasonality of sales, a campaign plan (Black Friday, Christmas, ...)",
    "You plan campaigns from the shop's own sales and judge experiments with proper statistics.",
)
