"""Route modules: thin adapters from schemas to the scorer and back."""
