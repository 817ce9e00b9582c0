"""What the demo company's data is about, domain by domain: where it comes from (Kafka topics and
the services' PostgreSQL databases), the marts built from it, and the charts and dashboards that
read them. catalog.py turns this into assets, owners and lineage."""

from __future__ import annotations

from dataclasses import dataclass

Source = tuple[str, str, str]  # platform (kafka | postgres), name, what one record is
Mart = tuple[str, str, tuple[str, ...]]  # table, description, what it reads (staging or marts)
Chart = tuple[str, str, tuple[str, ...]]  # title, description, the marts it reads
Board = tuple[str, str, tuple[int, ...]]  # title, description, its charts (indexes)


@dataclass(frozen=True)
class Domain:
    key: str
    engineer: str  # login of the engineer who owns the pipeline
    analyst: str  # login of the analyst who owns the charts
    team: str  # the team (group) that owns the data
    bi: str  # looker or tableau
    sources: tuple[Source, ...]
    marts: tuple[Mart, ...]
    charts: tuple[Chart, ...]
    dashboards: tuple[Board, ...]


DOMAINS = (
    Domain(
        "checkout",
        "tnguyen",
        "asmith",
        "growth",
        "looker",
        (
            (
                "kafka",
                "checkout.cart_events",
                "a cart change (add, remove, quantity) on web or app",
            ),
            ("kafka", "checkout.order_placed", "an order confirmed at checkout"),
            ("postgres", "shop_db.public.orders", "an order as the shop service stores it"),
            ("postgres", "shop_db.public.order_lines", "a line of an order"),
            ("postgres", "shop_db.public.promotions", "a promotion code and its rules"),
        ),
        (
            ("fct_orders", "One row per order with totals, discounts and channel.", ()),
            ("fct_order_lines", "One row per order line with net price and margin.", ()),
            ("fct_cart_abandonment", "Carts left without an order, per day and channel.", ()),
            ("dim_promotions", "Promotions with their validity and discount rules.", ()),
        ),
        (
            ("Orders per hour", "Orders placed per hour, web and app.", ("fct_orders",)),
            ("Average order value", "Net order value per day and channel.", ("fct_orders",)),
            ("Cart abandonment rate", "Share of carts left per day.", ("fct_cart_abandonment",)),
            ("Top promotions", "Orders and discount given per promotion.", ("dim_promotions",)),
            ("Margin by category", "Net margin per product category.", ("fct_order_lines",)),
        ),
        (
            ("Checkout health", "Orders, value and abandonment, refreshed hourly.", (0, 1, 2)),
            ("Promotions review", "Weekly review of running promotions.", (3, 4)),
        ),
    ),
    Domain(
        "payments",
        "mgarcia",
        "rpatel",
        "payments-eng",
        "looker",
        (
            ("kafka", "payments.transactions", "a card or wallet transaction from the gateway"),
            ("kafka", "payments.chargebacks", "a chargeback notice from the acquirer"),
            ("postgres", "payments_db.public.refunds", "a refund issued to a customer"),
            ("postgres", "payments_db.public.payouts", "a payout to the company's bank account"),
        ),
        (
            (
                "fct_payments",
                "One row per captured payment, in EUR and in the card's currency.",
                (),
            ),
            ("fct_refunds", "One row per refund with its reason and the order it belongs to.", ()),
            ("fct_chargebacks", "Chargebacks with their status and the amount at stake.", ()),
        ),
        (
            (
                "Payment success rate",
                "Authorised payments as a share of attempts.",
                ("fct_payments",),
            ),
            ("Refunds per day", "Refunds and their value per day and reason.", ("fct_refunds",)),
            ("Chargeback ratio", "Chargebacks per 1,000 payments.", ("fct_chargebacks",)),
            ("Payment methods", "Payments per method and country.", ("fct_payments",)),
        ),
        (("Payments overview", "Success rate, refunds and chargebacks.", (0, 1, 2, 3)),),
    ),
    Domain(
        "customers",
        "jdoe",
        "sokafor",
        "customer-experience",
        "looker",
        (
            ("postgres", "accounts_db.public.users", "a customer account"),
            ("postgres", "accounts_db.public.addresses", "a delivery or billing address"),
            ("kafka", "accounts.consent_changes", "a change of marketing consent"),
            ("postgres", "loyalty_db.public.memberships", "a loyalty programme membership"),
        ),
        (
            ("dim_customers", "One row per customer with segment, country and first order.", ()),
            ("fct_customer_ltv", "Lifetime value per customer, updated nightly.", ("fct_orders",)),
            ("fct_loyalty_points", "Points earned and spent per member and day.", ()),
        ),
        (
            ("New customers", "Customers placing their first order, per week.", ("dim_customers",)),
            ("Customer lifetime value", "LTV by acquisition cohort.", ("fct_customer_ltv",)),
            ("Loyalty members", "Active members per tier.", ("fct_loyalty_points",)),
            ("Repeat purchase rate", "Share of customers ordering again.", ("fct_customer_ltv",)),
        ),
        (("Customer 360", "Growth, loyalty and value of the customer base.", (0, 1, 2, 3)),),
    ),
    Domain(
        "marketing",
        "tnguyen",
        "bmueller",
        "growth",
        "tableau",
        (
            ("kafka", "marketing.email_events", "an e-mail sent, opened or clicked"),
            ("postgres", "ads_db.public.campaigns", "an advertising campaign and its budget"),
            ("postgres", "ads_db.public.ad_spend_daily", "the spend of a campaign on a day"),
            ("kafka", "marketing.attribution_touches", "a marketing touch before an order"),
        ),
        (
            ("fct_campaign_performance", "Spend, clicks and orders per campaign and day.", ()),
            ("fct_email_engagement", "Opens and clicks per e-mail send.", ()),
            (
                "fct_attribution",
                "Orders attributed to channels, last touch and linear.",
                ("fct_orders",),
            ),
        ),
        (
            (
                "Spend vs revenue",
                "Ad spend against attributed revenue per week.",
                ("fct_attribution",),
            ),
            (
                "Cost per acquisition",
                "CPA per channel and campaign.",
                ("fct_campaign_performance",),
            ),
            ("E-mail click rate", "Clicks per delivered e-mail.", ("fct_email_engagement",)),
            ("Channel mix", "Orders per acquisition channel.", ("fct_attribution",)),
        ),
        (
            ("Marketing performance", "Weekly spend, CPA and attribution.", (0, 1, 3)),
            ("CRM e-mails", "Engagement of the CRM programme.", (2,)),
        ),
    ),
    Domain(
        "inventory",
        "dlopez",
        "ekim",
        "supply-chain",
        "tableau",
        (
            ("kafka", "warehouse.stock_movements", "a stock movement in a warehouse"),
            ("postgres", "wms_db.public.stock_levels", "the stock of an item in a warehouse"),
            ("postgres", "wms_db.public.purchase_orders", "a purchase order to a supplier"),
            ("postgres", "wms_db.public.suppliers", "a supplier and its lead time"),
        ),
        (
            ("fct_stock_daily", "Stock on hand per item, warehouse and day.", ()),
            ("fct_purchase_orders", "Purchase orders with expected and actual arrival.", ()),
            ("dim_suppliers", "Suppliers with their lead times and ratings.", ()),
        ),
        (
            ("Stock cover", "Days of stock left per category.", ("fct_stock_daily",)),
            ("Out of stock items", "Items with no stock, per warehouse.", ("fct_stock_daily",)),
            ("Supplier lead times", "Promised against actual lead time.", ("dim_suppliers",)),
            ("Open purchase orders", "Purchase orders not yet received.", ("fct_purchase_orders",)),
        ),
        (("Inventory control", "Stock cover, stock-outs and inbound goods.", (0, 1, 2, 3)),),
    ),
    Domain(
        "fulfillment",
        "dlopez",
        "ekim",
        "supply-chain",
        "tableau",
        (
            ("kafka", "logistics.shipment_events", "a carrier tracking event"),
            ("postgres", "wms_db.public.shipments", "a parcel shipped to a customer"),
            ("postgres", "wms_db.public.returns", "a parcel returned by a customer"),
        ),
        (
            (
                "fct_shipments",
                "One row per shipment with promised and actual delivery.",
                ("fct_orders",),
            ),
            ("fct_returns", "Returns with reason, condition and refund.", ("fct_refunds",)),
            ("fct_carrier_sla", "On-time delivery per carrier and week.", ()),
        ),
        (
            ("On-time delivery", "Parcels delivered on the promised day.", ("fct_carrier_sla",)),
            ("Return rate", "Returns as a share of shipped orders.", ("fct_returns",)),
            ("Shipments per carrier", "Parcels per carrier and country.", ("fct_shipments",)),
        ),
        (("Delivery performance", "Carriers, delays and returns.", (0, 1, 2)),),
    ),
    Domain(
        "catalog",
        "lchen",
        "ekim",
        "data-platform",
        "looker",
        (
            ("postgres", "catalog_db.public.products", "a product and its attributes"),
            ("postgres", "catalog_db.public.prices", "a price of a product in a country"),
            ("kafka", "catalog.product_updates", "a change to a product page"),
        ),
        (
            ("dim_products", "One row per product with category, brand and current price.", ()),
            ("fct_price_changes", "Every price change with the old and new price.", ()),
        ),
        (
            ("Products live", "Products on sale per category.", ("dim_products",)),
            ("Price changes", "Price changes per day and direction.", ("fct_price_changes",)),
        ),
        (("Assortment", "What is on sale and at what price.", (0, 1)),),
    ),
    Domain(
        "support",
        "kmensah",
        "hjohansson",
        "customer-experience",
        "tableau",
        (
            ("postgres", "helpdesk_db.public.tickets", "a support ticket"),
            ("kafka", "support.chat_messages", "a message in a support chat"),
            ("postgres", "helpdesk_db.public.satisfaction_surveys", "a CSAT survey answer"),
        ),
        (
            (
                "fct_tickets",
                "Tickets with first response and resolution times.",
                ("dim_customers",),
            ),
            ("fct_csat", "Satisfaction scores per ticket and agent.", ()),
        ),
        (
            ("Tickets per day", "New and solved tickets per day.", ("fct_tickets",)),
            ("First response time", "Median first response per channel.", ("fct_tickets",)),
            ("CSAT", "Customer satisfaction per week.", ("fct_csat",)),
        ),
        (("Support operations", "Volume, response times and satisfaction.", (0, 1, 2)),),
    ),
    Domain(
        "finance",
        "mgarcia",
        "rpatel",
        "finance-data",
        "looker",
        (
            ("postgres", "erp_db.public.invoices", "an invoice from the ERP"),
            ("postgres", "erp_db.public.ledger_entries", "a general ledger entry"),
            ("postgres", "erp_db.public.exchange_rates", "a daily exchange rate"),
        ),
        (
            (
                "fct_revenue",
                "Recognised revenue per day, country and category.",
                ("fct_orders", "fct_refunds"),
            ),
            (
                "fct_gross_margin",
                "Gross margin per day and category.",
                ("fct_revenue", "fct_order_lines"),
            ),
            (
                "fct_cash_reconciliation",
                "Payments against payouts and invoices.",
                ("fct_payments",),
            ),
        ),
        (
            (
                "Revenue vs target",
                "Recognised revenue against the monthly target.",
                ("fct_revenue",),
            ),
            ("Gross margin", "Gross margin per month and category.", ("fct_gross_margin",)),
            (
                "Unreconciled cash",
                "Payments not yet matched to a payout.",
                ("fct_cash_reconciliation",),
            ),
            ("Revenue by country", "Recognised revenue per country.", ("fct_revenue",)),
        ),
        (
            ("Monthly close", "What finance checks before closing the month.", (0, 1, 2)),
            ("Executive KPIs", "Revenue, margin and growth for the leadership team.", (0, 1, 3)),
        ),
    ),
    Domain(
        "web",
        "lchen",
        "pkowalski",
        "growth",
        "looker",
        (
            ("kafka", "web.page_views", "a page view on the web shop"),
            ("kafka", "app.screen_views", "a screen view in the mobile app"),
            ("kafka", "web.search_queries", "a search typed on the site"),
        ),
        (
            ("fct_sessions", "Sessions with landing page, source and conversion.", ()),
            ("fct_search_performance", "Searches with results, clicks and orders.", ()),
            (
                "fct_funnel_daily",
                "Visits, product views, carts and orders per day.",
                ("fct_orders",),
            ),
        ),
        (
            ("Sessions per day", "Web and app sessions per day.", ("fct_sessions",)),
            ("Conversion funnel", "Visit to order, step by step.", ("fct_funnel_daily",)),
            (
                "Searches without results",
                "Searches that found nothing.",
                ("fct_search_performance",),
            ),
            ("Traffic sources", "Sessions per source and medium.", ("fct_sessions",)),
        ),
        (("Site analytics", "Traffic, search and conversion.", (0, 1, 2, 3)),),
    ),
)
