"""The social CRM in the window: the customer card, customer import, advocates."""
