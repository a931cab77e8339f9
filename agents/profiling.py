from agents.base import Specialist

AGENT = Specialist(
    "profiling",
    "customers, products and sales: RFM segments, customers about to lapse, lifetime value, customer lists "
    "by country, orders, spend and first or last order, one customer's "
    "profile and worth, similar products, product recommendations for a customer, sales reports by day, week "
    "or month (by country, product or segment), best and worst sellers; audiences (the DMP: create from rules or a "
    "list, size, overlap, look-alikes, refresh, delete, export for Google or Meta, customers' consent); traffic "
    "insight on web sessions (conversion by traffic source, visitor type, month, region, browser or weekend, the "
    "session funnel, a purchase-intent model); how many of a month's new customers will still buy (retention)",
    "You answer questions about who the shop's customers are, what they buy, where buyers come from and how "
    "sales are going. Creating, refreshing, deleting or exporting an audience and changing a customer's consent "
    "need the marketer's approval, which the system asks for; opted-out customers never leave the shop.",
)
