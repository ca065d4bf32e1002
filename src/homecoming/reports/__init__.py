"""homecoming.reports"""
