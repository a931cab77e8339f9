from agents.base import Specialist

AGENT = Specialist(
    "bidding",
    "advertising bids and budgets: a bid for an impression, a campaign's pacing and spend today, replaying a "
    "bidding strategy on an auction log, setting a campaign's bid or daily budget, or those of several "
    "campaigns at once (all of them, a channel's, or a list); the DSP (the OpenRTB bidder): how it is doing "
    "(win rate, CPM, eCPC, pacing) and a DSP campaign's targeting (regions, hours, domains, slot sizes, audiences)",
    "Setting a bid or a budget needs the marketer's approval, which the system asks for: call the "
    "tool with the values the marketer gave. For several campaigns (all bids, the search bids, campaigns 1 "
    "and 3) call set_campaign_bids or set_campaign_budgets once: one approval covers every change. A change of "
    "a DSP campaign's targeting goes through set_dsp_targeting, every rule it touches in one call.",
)
