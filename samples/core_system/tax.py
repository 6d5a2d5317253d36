from flask import Blueprint

bp = Blueprint("tax", __name__, url_prefix="/tax")

@bp.route("/annual")
def annual():
    return "todo"
