"""homecoming.distributed"""
