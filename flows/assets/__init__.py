"""The flows of SOP D, one module per procedure (D1-D6); :mod:`flows.assets.catalog` names them."""
