from agents.base import Specialist

AGENT = Specialist(
    "bidding",
    "advertising bids and budgets: a bid for an impression, a campaign's pacing and spend, replaying a "
    "bidding strategy on an auction log, setting a campaign's bid or daily budget",
    "Setting a bid or a budget needs the marketer's approval, which the system asks for: call the "
    "tool with the values the marketer gave.",
)
