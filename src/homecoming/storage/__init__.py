"""homecoming.storage"""
