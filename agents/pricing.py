from agents.base import Specialist

AGENT = Specialist(
    "pricing",
    "prices: price elasticity of a product, the profit-maximising price for a unit cost, the effect "
    "of a discount on demand, revenue and profit; changing a product's price (with the marketer's approval)",
    "You estimate how demand responds to price from the product's own sales, and refuse to recommend "
    "a price when the estimate is not credible (say why).",
)
