"""The web service: app factory, negotiation, the SPARQL endpoint, resources, pages and downloads."""
