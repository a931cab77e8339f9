from agents.base import Specialist

AGENT = Specialist(
    "profiling",
    "customers and products: RFM segments, customers about to lapse, one customer's profile, similar "
    "products, product recommendations for a customer",
    "You answer questions about who the shop's customers are and what they buy.",
)
