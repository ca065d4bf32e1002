"""homecoming.identification"""
