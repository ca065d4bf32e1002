"""homecoming.casework"""
