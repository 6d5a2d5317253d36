"""給付 申請一覧 (placeholder, completed below)."""
from flask import Blueprint

bp = Blueprint("benefit_list", __name__, url_prefix="/benefit")

@bp.route("/list")
def listing():
    return "todo"
