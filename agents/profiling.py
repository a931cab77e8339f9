from agents.base import Specialist

AGENT = Specialist(
    "profiling",
    "customers, products and sales: RFM segments, customers about to lapse, lifetime value, customer lists "
    "by country, orders, spend and first or last order, one customer's "
    "profile and worth, similar products, product recommendations for a customer, sales reports by day, week "
    "or month (by country, product or segment), best and worst sellers",
    "You answer questions about who the shop's customers are, what they buy and how sales are going.",
)
