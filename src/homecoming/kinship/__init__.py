"""homecoming.kinship"""
