"""homecoming.formats"""
