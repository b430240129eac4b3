"""The Django-ORM peer of libigny8settings' resolver (bench/peer_django)."""
